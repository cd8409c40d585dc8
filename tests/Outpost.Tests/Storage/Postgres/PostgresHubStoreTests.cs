namespace Outpost.Tests.Storage.Postgres;

public sealed class PostgresHubStoreTests : HubStoreTests<PostgresStoreFixture>;
