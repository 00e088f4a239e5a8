using System;
using System.IO;

namespace EnergyData.Errors;

/// <summary>
/// A result could not be saved to a file the user asked for (-OutputPath): the file is locked, or the disk is full.
/// An IOException of its own, so it is not reported as a failed connection, which other IOExceptions here are.
/// </summary>
public sealed class OutputFileException : IOException
{
    public OutputFileException(string path, Exception innerException)
        : base($"Could not write '{path}': {innerException?.Message}", innerException)
    {
        Path = path;
    }

    /// <summary>The file that could not be written.</summary>
    public string Path { get; }
}
