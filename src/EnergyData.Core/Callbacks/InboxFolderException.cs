using System;
using System.IO;

namespace EnergyData.Callbacks;

/// <summary>
/// The inbox folder (or its pending/ folder) could not be created: a file of that name is in the way, a parent is not
/// writable, the disk is full. An IOException of its own, so it is not reported as a failed connection, which other
/// IOExceptions here are; the message names the folder and what chose it (-InboxPath, or the default folder).
/// </summary>
public sealed class InboxFolderException : IOException
{
    public InboxFolderException(string path, bool isDefault, Exception innerException)
        : base(
            $"Could not create the callback inbox folder '{path}' ({(isDefault ? "the default inbox folder, used when -InboxPath is not given" : "given with -InboxPath")}): {innerException?.Message}",
            innerException)
    {
        Path = path;
        IsDefault = isDefault;
    }

    /// <summary>The folder that could not be created.</summary>
    public string Path { get; }

    /// <summary>True when the folder is the default one (no -InboxPath was given).</summary>
    public bool IsDefault { get; }

    /// <summary>True when the operating system refused it for lack of permission.</summary>
    public bool IsPermissionDenied => InnerException is UnauthorizedAccessException;
}
