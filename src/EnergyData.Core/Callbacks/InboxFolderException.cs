using System;
using System.IO;

namespace EnergyData.Callbacks;

/// <summary>
/// The inbox folder (or its pending/ folder) could not be created or written: a file of that name is in the way, a
/// parent is not writable, the disk is full. An IOException of its own, so it is not reported as a failed connection,
/// which other IOExceptions here are; the message names the folder and what chose it (-InboxPath, or the default folder).
/// </summary>
public sealed class InboxFolderException : IOException
{
    private const string CouldNotCreate = "Could not create the callback inbox folder";

    private const string CouldNotWrite = "Could not write to the callback inbox folder";

    private readonly string problem;

    public InboxFolderException(string path, bool isDefault, Exception innerException)
        : this(path, isDefault, innerException, CouldNotCreate, null, null)
    {
    }

    private InboxFolderException(string path, bool isDefault, Exception? innerException, string problem, string? consequence, string? recommendedAction)
        : base(
            $"{problem} '{path}' ({(isDefault ? "the default inbox folder, used when -InboxPath is not given" : "given with -InboxPath")}): {innerException?.Message}{(consequence is null ? string.Empty : " " + consequence)}",
            innerException)
    {
        this.problem = problem;
        Path = path;
        IsDefault = isDefault;
        RecommendedAction = recommendedAction;
    }

    /// <summary>The folder that could not be created or written.</summary>
    public string Path { get; }

    /// <summary>True when the folder is the default one (no -InboxPath was given).</summary>
    public bool IsDefault { get; }

    /// <summary>True when the operating system refused it for lack of permission.</summary>
    public bool IsPermissionDenied => InnerException is UnauthorizedAccessException;

    /// <summary>What to do, when it differs from the advice for a folder given to the command that failed (null then).</summary>
    public string? RecommendedAction { get; }

    /// <summary>A file could not be written into <paramref name="path"/>, a folder that exists.</summary>
    public static InboxFolderException NotWritable(string path, bool isDefault, Exception innerException) =>
        new(path, isDefault, innerException, CouldNotWrite, null, null);

    /// <summary>
    /// The same failure, met by an asynchronous submission before its request was sent: the message says that nothing
    /// was sent, and the advice is about the receiver, whose folder it is (the submitting command has no -InboxPath).
    /// </summary>
    public InboxFolderException BeforeSubmission() => new(
        Path,
        IsDefault,
        InnerException,
        problem,
        "Nothing was sent for this input, so nothing was billed: the receiver's inbox must take the pending record that lets Wait-KhipuOperation collect the result.",
        "Make the receiver's inbox folder writable again (a folder, not a file), or run Stop-KhipuCallbackReceiver and Start-KhipuCallbackReceiver with an -InboxPath you can write to; then submit these inputs again.");
}
