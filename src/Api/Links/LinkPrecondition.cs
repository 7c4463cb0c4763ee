using Fleet.Api.Common;
using Fleet.Api.Data.Entities;

namespace Fleet.Api.Links;

/// <summary>
/// Which desired generation a change to a link was made against: REST's <c>If-Match</c> (<c>*</c> or a list of
/// strong ETags, one of which must be current), the policy editor's generation, or none.
/// </summary>
public sealed class LinkPrecondition
{
    private readonly string? _ifMatch;
    private readonly long? _generation;

    private LinkPrecondition(string? ifMatch, long? generation)
    {
        _ifMatch = ifMatch;
        _generation = generation;
    }

    /// <summary>No precondition: the change applies to whatever generation is current.</summary>
    public static LinkPrecondition None { get; } = new(null, null);

    /// <summary>Whether the caller named no generation.</summary>
    public bool IsNone => _ifMatch is null && _generation is null;

    /// <summary>An <c>If-Match</c> header; absent or blank is <see cref="None"/>.</summary>
    public static LinkPrecondition IfMatch(string? header) => string.IsNullOrWhiteSpace(header) ? None : new(header, null);

    /// <summary>The change was made against <paramref name="generation"/>.</summary>
    public static LinkPrecondition AtGeneration(long generation) => new(null, generation);

    /// <summary>Whether the link is still at the generation the caller named (always, for <see cref="None"/>).</summary>
    public bool Holds(LinkEntity link) => Holds(link.Id, link.DesiredGeneration);

    /// <summary>Whether the resource <paramref name="id"/> (a link, a link pair) is still at the generation the caller named.</summary>
    public bool Holds(Guid id, long currentGeneration)
    {
        if (_generation is { } generation)
        {
            return currentGeneration == generation;
        }

        if (_ifMatch is null)
        {
            return true;
        }

        return ETags.Matches(_ifMatch, LinkMapping.ETag(id, currentGeneration));
    }
}
