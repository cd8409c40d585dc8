namespace Outpost.Tests.Storage.Postgres;

public sealed class PostgresEventOutboxTests : EventOutboxTests<PostgresStoreFixture>;
