namespace Outpost.Tests.Storage.Postgres;

public sealed class PostgresLeaseStoreTests : LeaseStoreTests<PostgresStoreFixture>;
