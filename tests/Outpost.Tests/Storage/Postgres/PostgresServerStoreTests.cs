namespace Outpost.Tests.Storage.Postgres;

public sealed class PostgresServerStoreTests : ServerStoreTests<PostgresStoreFixture>;
