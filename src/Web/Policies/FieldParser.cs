using System.Globalization;
using Fleet.Contracts.Links.Validation;
using Fleet.Web.Formatting;

namespace Fleet.Web.Policies;

/// <summary>
/// Parses typed text into numbers and enums, reporting what does not parse at its JSON path. Blank text is no value.
/// Public for kind editors (<see cref="Kinds.LinkKindEditor.Apply"/>).
/// </summary>
/// <param name="errors">Where errors are added.</param>
public sealed class FieldParser(List<ValidationError> errors)
{
    /// <summary>The errors so far.</summary>
    public List<ValidationError> Errors { get; } = errors;

    /// <summary>A whole number (int).</summary>
    public int? Int(string path, string? text)
    {
        if (PolicyForm.Blank(text) is not { } value)
        {
            return null;
        }

        if (int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var result))
        {
            return result;
        }

        Errors.Add(new ValidationError(path, $"'{value}' is not a whole number"));
        return null;
    }

    /// <summary>A whole number (long).</summary>
    public long? Long(string path, string? text)
    {
        if (PolicyForm.Blank(text) is not { } value)
        {
            return null;
        }

        if (long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var result))
        {
            return result;
        }

        Errors.Add(new ValidationError(path, $"'{value}' is not a whole number"));
        return null;
    }

    /// <summary>A finite number.</summary>
    public double? Double(string path, string? text)
    {
        if (PolicyForm.Blank(text) is not { } value)
        {
            return null;
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var result) && double.IsFinite(result))
        {
            return result;
        }

        Errors.Add(new ValidationError(path, $"'{value}' is not a number"));
        return null;
    }

    /// <summary>Reports a missing required value (unless it was present but unparsable); returns a placeholder.</summary>
    public T Required<T>(string path, string? text, T placeholder)
    {
        if (PolicyForm.Blank(text) is null)
        {
            Errors.Add(new ValidationError(path, "is required"));
        }

        return placeholder;
    }

    /// <summary>One of the enum's wire names.</summary>
    public TEnum? Enum<TEnum>(string path, string? text)
        where TEnum : struct, System.Enum
    {
        if (PolicyForm.Blank(text) is not { } value)
        {
            return null;
        }

        if (WireNames.Parse<TEnum>(value) is { } result)
        {
            return result;
        }

        Errors.Add(new ValidationError(path, $"'{value}' is not one of {string.Join(", ", System.Enum.GetValues<TEnum>().Select(v => WireNames.Of(v)))}"));
        return null;
    }
}
