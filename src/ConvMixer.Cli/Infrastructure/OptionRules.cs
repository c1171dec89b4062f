using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace ConvMixerNet.Cli;

/// <summary>
/// Range checks attached to options, so a bad value is a parse error (exit code 2) whose message names the option,
/// before any file is read or any library sees the value.
/// </summary>
internal static class OptionRules
{
    public static Option<int> AtLeast(this Option<int> option, int minimum)
    {
        option.Validators.Add(result =>
        {
            if (TryGetValue<int>(result, out var value))
            {
                Check(result, option.Name, value, minimum);
            }
        });
        return option;
    }

    public static Option<int?> AtLeast(this Option<int?> option, int minimum)
    {
        option.Validators.Add(result =>
        {
            if (TryGetValue<int?>(result, out var given) && given is { } value)
            {
                Check(result, option.Name, value, minimum);
            }
        });
        return option;
    }

    /// <summary>A finite number in [<paramref name="minimum"/>, <paramref name="maximum"/>], excluding an end marked exclusive.</summary>
    public static Option<double> Within(this Option<double> option, double minimum, double maximum, bool minimumExclusive = false, bool maximumExclusive = false)
    {
        option.Validators.Add(result =>
        {
            if (TryGetValue<double>(result, out var value))
            {
                CheckRange(result, option.Name, value, minimum, maximum, minimumExclusive, maximumExclusive);
            }
        });
        return option;
    }

    /// <inheritdoc cref="Within(Option{double}, double, double, bool, bool)"/>
    public static Option<double?> Within(this Option<double?> option, double minimum, double maximum, bool minimumExclusive = false, bool maximumExclusive = false)
    {
        option.Validators.Add(result =>
        {
            if (TryGetValue<double?>(result, out var given) && given is { } value)
            {
                CheckRange(result, option.Name, value, minimum, maximum, minimumExclusive, maximumExclusive);
            }
        });
        return option;
    }

    /// <summary>True when the user typed the option (not only its default).</summary>
    public static bool IsGiven(this ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };

    // A value that is no number at all ("--top x") is the parser's own error, which names the option; nothing to check.
    private static bool TryGetValue<T>(OptionResult result, out T value)
    {
        try
        {
            value = result.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            value = default!;
            return false;
        }
    }

    private static void Check(OptionResult result, string name, int value, int minimum)
    {
        if (value < minimum)
        {
            result.AddError(minimum == 1 ? $"{name} must be positive, not {value}." : $"{name} must be at least {minimum}, not {value}.");
        }
    }

    private static void CheckRange(OptionResult result, string name, double value, double minimum, double maximum, bool minimumExclusive, bool maximumExclusive)
    {
        var tooLow = minimumExclusive ? value <= minimum : value < minimum;
        var tooHigh = maximumExclusive ? value >= maximum : value > maximum;
        if (!double.IsFinite(value) || tooLow || tooHigh)
        {
            var range = string.Create(CultureInfo.InvariantCulture,
                $"{(minimumExclusive ? "(" : "[")}{minimum}, {(double.IsPositiveInfinity(maximum) ? "∞" : maximum.ToString(CultureInfo.InvariantCulture))}{(maximumExclusive || double.IsPositiveInfinity(maximum) ? ")" : "]")}");
            result.AddError(string.Create(CultureInfo.InvariantCulture, $"{name} must be a finite number in {range}, not {value}."));
        }
    }
}
