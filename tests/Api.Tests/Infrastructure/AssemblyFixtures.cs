using Fleet.Testing;

// One PostgreSQL server for the whole assembly, started on first use by a Postgres-trait test.
[assembly: AssemblyFixture(typeof(PostgresFixture))]
