using Fleet.Api.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Fleet.Api.Data;

/// <summary>
/// Fleet's database: the same model on SQLite (embedded default) and PostgreSQL, with hand-written migrations in
/// <c>Data/Migrations</c> (the EF design-time package does not restore here; a test proves the migrations build the
/// same schema as the model). Used directly by the feature endpoints; no repositories.
/// </summary>
public sealed class FleetDbContext(DbContextOptions<FleetDbContext> options) : DbContext(options)
{
    public DbSet<HostEntity> Hosts => Set<HostEntity>();

    public DbSet<HostLabelEntity> HostLabels => Set<HostLabelEntity>();

    public DbSet<LinkEntity> Links => Set<LinkEntity>();

    public DbSet<MemberEntity> Members => Set<MemberEntity>();

    public DbSet<PolicyRevisionEntity> PolicyRevisions => Set<PolicyRevisionEntity>();

    public DbSet<EventEntity> Events => Set<EventEntity>();

    public DbSet<SampleEntity> Samples => Set<SampleEntity>();

    public DbSet<SampleMinuteEntity> SampleMinutes => Set<SampleMinuteEntity>();

    public DbSet<SampleHourEntity> SampleHours => Set<SampleHourEntity>();

    public DbSet<IngestedBatchEntity> IngestedBatches => Set<IngestedBatchEntity>();

    public DbSet<UserEntity> Users => Set<UserEntity>();

    public DbSet<ApiKeyEntity> ApiKeys => Set<ApiKeyEntity>();

    public DbSet<EnrollmentTokenEntity> EnrollmentTokens => Set<EnrollmentTokenEntity>();

    public DbSet<AgentCredentialEntity> AgentCredentials => Set<AgentCredentialEntity>();

    public DbSet<AuditEntryEntity> AuditLog => Set<AuditEntryEntity>();

    public DbSet<DataProtectionKeyEntity> DataProtectionKeys => Set<DataProtectionKeyEntity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(FleetDbContext).Assembly);
        SnakeCaseNames.Apply(modelBuilder);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
    }
}
