using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace EnergyData.Benchmarks;

/// <summary>The size a scenario runs at: the full size, or a reduced one for a quick check.</summary>
public enum BenchSize
{
    Full,
    Quick,
}

/// <summary>One output line: <c>bench &lt;scenario&gt; key=value ...</c>, plus the targets it missed.</summary>
public sealed class BenchLine
{
    private readonly List<KeyValuePair<string, string>> values = new();

    public BenchLine(string scenario)
    {
        Scenario = scenario;
    }

    public string Scenario { get; }

    public List<string> MissedTargets { get; } = new();

    public BenchLine Add(string key, double value, int decimals = 3)
    {
        values.Add(new(key, Math.Round(value, decimals).ToString(CultureInfo.InvariantCulture)));
        return this;
    }

    public BenchLine Add(string key, long value)
    {
        values.Add(new(key, value.ToString(CultureInfo.InvariantCulture)));
        return this;
    }

    public BenchLine Add(string key, string value)
    {
        values.Add(new(key, value));
        return this;
    }

    /// <summary>Records a target; a miss is printed under the line.</summary>
    public BenchLine Target(string description, bool met)
    {
        if (!met)
        {
            MissedTargets.Add(description);
        }

        return this;
    }

    public string Format()
    {
        var line = new StringBuilder("bench ").Append(Scenario);
        foreach (var pair in values)
        {
            line.Append(' ').Append(pair.Key).Append('=').Append(pair.Value);
        }

        return line.ToString();
    }
}

internal static class MachineDescription
{
    public static string Describe() => string.Join(' ', new[]
    {
        $"os=\"{System.Runtime.InteropServices.RuntimeInformation.OSDescription.Trim()}\"",
        $"runtime=\"{System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}\"",
        $"cores={Environment.ProcessorCount}",
        $"arch={System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}",
    }.Select(part => part));
}
