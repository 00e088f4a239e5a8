namespace EnergyData.Validation;

/// <summary>
/// Where one input's value of an optional parameter came from. A cmdlet knows it from its own binding: what is bound
/// when it begins came from the command line, and anything bound later from a piped object.
/// </summary>
public enum ArgumentSource
{
    /// <summary>Not given for this input.</summary>
    NotGiven,

    /// <summary>Given on the command line, so the same for every input.</summary>
    CommandLine,

    /// <summary>Bound from this input's piped object (one of its properties).</summary>
    Pipeline,
}
