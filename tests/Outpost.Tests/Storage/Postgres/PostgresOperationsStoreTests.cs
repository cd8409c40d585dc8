namespace Outpost.Tests.Storage.Postgres;

public sealed class PostgresOperationsStoreTests : OperationsStoreTests<PostgresStoreFixture>;
