namespace Fleet.Api.Data.Entities;

/// <summary>A row of one member of one link (a raw sample or a rollup bucket): what a member filter reads.</summary>
public interface IMemberRow
{
    /// <summary>The member, named as its agent reported it.</summary>
    string Member { get; }
}
