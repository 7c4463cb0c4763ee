namespace Fleet.Api.Agents;

/// <summary>
/// The one rule for free text an agent sends (event messages, state errors, hello strings): PostgreSQL text cannot
/// hold U+0000 and Npgsql refuses to encode an unpaired UTF-16 surrogate, so one such character fails the statement
/// it is in — and for a batch, the whole group commit written with it (issue 10). Batches with such text are refused
/// (<see cref="Problem"/>, the batch is evidence and the agent is told why); descriptive text (hello, state errors) is
/// kept with the character replaced (<see cref="Storable"/>). Names (hostname, versions, interface names) and text
/// for the log also lose control characters (<see cref="SingleLine"/>), so an agent cannot forge log lines; the login
/// log uses the same rule for the user names people type.
/// </summary>
public static class AgentText
{
    /// <summary>What replaces a character that cannot be stored or logged: U+FFFD REPLACEMENT CHARACTER.</summary>
    public const char Replacement = '\uFFFD';

    /// <summary>Why <paramref name="value"/> cannot be stored as it is, or null.</summary>
    public static string? Problem(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\0')
            {
                return $"contains U+0000 (NUL) at {i}, which the database cannot store";
            }

            if (IsUnpairedSurrogate(value, i))
            {
                return $"contains an unpaired UTF-16 surrogate at {i}";
            }

            if (char.IsHighSurrogate(value[i]))
            {
                i++;
            }
        }

        return null;
    }

    /// <summary>
    /// <paramref name="value"/> with NUL and unpaired surrogates replaced, cut to at most <paramref name="maxLength"/>
    /// characters without splitting a surrogate pair.
    /// </summary>
    public static string Storable(string value, int maxLength) => Clean(value, maxLength, controls: false);

    /// <summary>Like <see cref="Storable"/>, and every control character (newlines, escapes) replaced too: for names and the log.</summary>
    public static string SingleLine(string value, int maxLength) => Clean(value, maxLength, controls: true);

    /// <summary><paramref name="value"/> cut to at most <paramref name="maxLength"/> characters, never between the halves of a surrogate pair.</summary>
    public static string Cut(string value, int maxLength)
    {
        if (value.Length <= maxLength)
        {
            return value;
        }

        var end = maxLength > 0 && char.IsHighSurrogate(value[maxLength - 1]) ? maxLength - 1 : maxLength;
        return value[..end];
    }

    private static string Clean(string value, int maxLength, bool controls)
    {
        var cut = Cut(value, maxLength);
        var clean = true;
        for (var i = 0; i < cut.Length && clean; i++)
        {
            clean = !NeedsReplacement(cut, i, controls);
        }

        if (clean)
        {
            return cut;
        }

        return string.Create(cut.Length, (cut, controls), static (span, state) =>
        {
            var (text, withControls) = state;
            for (var i = 0; i < text.Length; i++)
            {
                span[i] = NeedsReplacement(text, i, withControls) ? Replacement : text[i];
            }
        });
    }

    private static bool NeedsReplacement(string text, int i, bool controls) =>
        text[i] == '\0' || IsUnpairedSurrogate(text, i) || (controls && char.IsControl(text[i]));

    private static bool IsUnpairedSurrogate(string text, int i) =>
        (char.IsHighSurrogate(text[i]) && (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1])))
        || (char.IsLowSurrogate(text[i]) && (i == 0 || !char.IsHighSurrogate(text[i - 1])));
}
