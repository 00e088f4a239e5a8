using System;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;

namespace EnergyData.Callbacks;

/// <summary>Whether a result was stored or was already there.</summary>
public enum InboxWriteResult
{
    Added,
    Duplicate,
}

/// <summary>
/// The durable inbox of asynchronous results (format: docs/inbox-format.md). Each result is the callback body
/// exactly as delivered, in <c>&lt;OperationId&gt;.json</c>; records of submitted operations are in
/// <c>pending/&lt;OperationId&gt;.json</c>. Files appear whole: they are written to a temporary file in the same
/// folder, flushed to disk and then linked into place without overwriting, so the first delivery wins.
/// </summary>
public sealed class CallbackInbox
{
    public const string PendingFolderName = "pending";

    /// <summary>Where results of an OperationId that a later submission was given again are moved (see SetAsideResultWrittenBefore).</summary>
    public const string SupersededFolderName = "superseded";

    /// <summary>Khipu documents at most 36 characters; longer identifiers are still kept, hashed into the name.</summary>
    private const int MaxPlainNameLength = 100;

    private static readonly Regex PlainName = new("^[A-Za-z0-9_-][A-Za-z0-9._-]*$", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static readonly Regex ReservedWindowsName = new(@"^(CON|PRN|AUX|NUL|COM[0-9]|LPT[0-9])(\..*)?$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));

    private static readonly JsonSerializerOptions RecordJson = new() { WriteIndented = true };

    // File.Move without overwrite checks and renames in two steps on Unix, so concurrent deliveries of one
    // OperationId are serialised here (striped by path; shared by every inbox object in the process).
    private static readonly SemaphoreSlim[] WriteLocks = CreateLocks(64);

    public CallbackInbox(string path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new Validation.ParameterValidationException("InboxPath", "is required");
        }

        Root = Path.GetFullPath(path);
        PendingFolder = Path.Combine(Root, PendingFolderName);
    }

    public string Root { get; }

    public string PendingFolder { get; }

    /// <summary>
    /// The file name for an OperationId: the identifier itself when it is a safe file name, otherwise the safe
    /// characters followed by a hash of the whole identifier (so two identifiers never share a file).
    /// </summary>
    public static string FileNameFor(string operationId)
    {
        if (string.IsNullOrEmpty(operationId))
        {
            throw new ArgumentException("An OperationId is required.", nameof(operationId));
        }

        if (operationId.Length <= MaxPlainNameLength && PlainName.IsMatch(operationId) && !ReservedWindowsName.IsMatch(operationId) && !operationId.EndsWith(".", StringComparison.Ordinal))
        {
            return operationId + ".json";
        }

        var safe = new StringBuilder();
        foreach (var character in operationId)
        {
            if (safe.Length >= 40)
            {
                break;
            }

            safe.Append(character is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' ? character : '_');
        }

        using var sha = SHA256.Create();
        var hash = sha.ComputeHash(Encoding.UTF8.GetBytes(operationId));
        var hex = new StringBuilder(16);
        for (var index = 0; index < 8; index++)
        {
            hex.Append(hash[index].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
        }

        return "_" + safe + "-" + hex + ".json";
    }

    /// <summary>
    /// Creates the inbox and its pending/ folder when needed. Throws <see cref="InboxFolderException"/>, naming the
    /// folder and whether it is the default one, when the file system refuses.
    /// </summary>
    public void EnsureExists()
    {
        var creating = Root;
        try
        {
            Directory.CreateDirectory(Root);

            // Named on its own: a file in place of pending/ is not a problem with the inbox folder given.
            creating = PendingFolder;
            Directory.CreateDirectory(PendingFolder);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new InboxFolderException(creating, IsDefaultRoot(), exception);
        }
    }

    /// <summary>
    /// Checks that a pending record can be written now: the inbox and its pending/ folder exist (or are created) and a
    /// file can be made in pending/. An asynchronous submission checks it before its request is sent, because once Khipu
    /// has accepted (and billed) the request, a record that cannot be written can no longer stop anything. Throws
    /// <see cref="InboxFolderException"/>, naming the folder, when the file system refuses.
    /// </summary>
    public void EnsureWritable()
    {
        EnsureExists();

        // A dot-name ending in .tmp, as a file being written has: readers of the inbox ignore it.
        var probe = Path.Combine(PendingFolder, "." + Guid.NewGuid().ToString("N") + ".probe.tmp");
        try
        {
            using (new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose))
            {
                // Created and, on close, deleted: only whether it could be made matters.
            }
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw InboxFolderException.NotWritable(PendingFolder, IsDefaultRoot(), exception);
        }
    }

    public string ResultPath(string operationId) => Path.Combine(Root, FileNameFor(operationId));

    public string PendingPath(string operationId) => Path.Combine(PendingFolder, FileNameFor(operationId));

    public bool HasResult(string operationId) => File.Exists(ResultPath(operationId));

    /// <summary>Stores a delivered result unless one is already there (the first delivery wins).</summary>
    public Task<InboxWriteResult> TryAddResultAsync(string operationId, byte[] body, CancellationToken cancellationToken) =>
        WriteOnceAsync(ResultPath(operationId), body, cancellationToken);

    /// <summary>
    /// Moves the result of <paramref name="operationId"/> into <c>superseded/</c> when it was written before
    /// <paramref name="writtenBefore"/>: a new submission was given an OperationId that an earlier one had (a server
    /// that numbers its operations from 1 again after a restart, say), and the inbox is write-once, so the old result
    /// would otherwise be handed out as the new operation's and the new delivery turned away as a repeat. The old file
    /// is kept, renamed with the time it was set aside. Returns the new path, or null when nothing was moved.
    /// </summary>
    public string? SetAsideResultWrittenBefore(string operationId, DateTimeOffset writtenBefore)
    {
        var path = ResultPath(operationId);
        var file = new FileInfo(path);
        if (!file.Exists || file.LastWriteTimeUtc >= writtenBefore.UtcDateTime)
        {
            return null;
        }

        try
        {
            var folder = Path.Combine(Root, SupersededFolderName);
            Directory.CreateDirectory(folder);
            var target = Path.Combine(folder, $"{Path.GetFileNameWithoutExtension(path)}.{DateTime.UtcNow:yyyyMMddTHHmmssfffZ}.{Guid.NewGuid():N}.json");
            File.Move(path, target);
            return target;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Best effort, for a submission Khipu has already accepted and billed: another session set it aside first,
            // or it cannot be moved (held open without delete sharing, no rights). It then stays where it is, as it
            // did before results were set aside at all.
            return null;
        }
    }

    /// <summary>Records a submitted operation (overwrites an older record of the same OperationId).</summary>
    public async Task WritePendingAsync(PendingOperation operation, CancellationToken cancellationToken)
    {
        if (operation is null)
        {
            throw new ArgumentNullException(nameof(operation));
        }

        EnsureExists();
        var bytes = JsonSerializer.SerializeToUtf8Bytes(operation, RecordJson);
        await AtomicFile.WriteAllBytesAsync(PendingPath(operation.OperationId), bytes, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The pending record of an OperationId, or null when there is none (or it cannot be read).</summary>
    public PendingOperation? ReadPending(string operationId)
    {
        var path = PendingPath(operationId);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var record = JsonSerializer.Deserialize<PendingOperation>(File.ReadAllBytes(path));
            return record is not null && string.Equals(record.OperationId, operationId, StringComparison.Ordinal) ? record : null;
        }
        catch (JsonException)
        {
            return null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Opens a stored result for reading, or returns null when it has not arrived.</summary>
    public Stream? OpenResult(string operationId)
    {
        try
        {
            return new FileStream(ResultPath(operationId), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 16 * 1024, useAsync: true);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    private bool IsDefaultRoot()
    {
        var comparison = Path.DirectorySeparatorChar == '\\' ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        return string.Equals(Root.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar), Path.GetFullPath(CallbackSession.DefaultInboxPath).TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar), comparison);
    }

    private static SemaphoreSlim[] CreateLocks(int count)
    {
        var locks = new SemaphoreSlim[count];
        for (var index = 0; index < count; index++)
        {
            locks[index] = new SemaphoreSlim(1, 1);
        }

        return locks;
    }

    private static async Task<InboxWriteResult> WriteOnceAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        var gate = WriteLocks[(StringComparer.Ordinal.GetHashCode(path) & int.MaxValue) % WriteLocks.Length];
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await WriteOnceLockedAsync(path, bytes, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }

    private static async Task<InboxWriteResult> WriteOnceLockedAsync(string path, byte[] bytes, CancellationToken cancellationToken)
    {
        if (File.Exists(path))
        {
            return InboxWriteResult.Duplicate;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = Path.Combine(Path.GetDirectoryName(path)!, "." + Path.GetFileName(path) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 16 * 1024, useAsync: true))
            {
                await stream.WriteAsync(bytes, 0, bytes.Length, cancellationToken).ConfigureAwait(false);
                stream.Flush(flushToDisk: true);
            }

            try
            {
                // Move without overwrite fails when the target exists: two concurrent deliveries cannot both win.
                File.Move(temporary, path);
                return InboxWriteResult.Added;
            }
            catch (IOException) when (File.Exists(path))
            {
                TryDelete(temporary);
                return InboxWriteResult.Duplicate;
            }
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // A leftover temporary file starts with a dot and ends in .tmp; readers ignore it.
        }
        catch (UnauthorizedAccessException)
        {
            // Same as above.
        }
    }
}
