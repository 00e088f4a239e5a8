using System.IO;
using EnergyData.Callbacks;
using EnergyData.Errors;
using EnergyData.Pipeline;
using Xunit;

namespace EnergyData.Tests.Callbacks;

/// <summary>An inbox folder that cannot be created is a write error on that folder, not a failed connection.</summary>
public sealed class CallbackInboxFolderErrorTests
{
    [Fact]
    public void An_inbox_folder_under_a_file_is_a_write_error_naming_the_folder_and_InboxPath()
    {
        using var temporary = new TemporaryInbox();
        Directory.CreateDirectory(temporary.Root);
        var file = Path.Combine(temporary.Root, "a-file");
        File.WriteAllText(file, "not a folder");
        var inboxPath = Path.Combine(file, "inbox");

        var exception = Record.Exception(() => CallbackReceiver.Start(new CallbackReceiverOptions { InboxPath = inboxPath }).Dispose());

        Assert.NotNull(exception);
        var error = ErrorMapper.FromException(exception!, inboxPath);
        Assert.Equal("InboxFolderFailed", error.ErrorId);
        Assert.Equal(ErrorKind.WriteError, error.Kind);
        Assert.False(error.IsTerminating);
        Assert.Equal(inboxPath, error.Target);
        Assert.Contains("'" + inboxPath + "'", exception!.Message, System.StringComparison.Ordinal);
        Assert.Contains("-InboxPath", exception.Message, System.StringComparison.Ordinal);
        Assert.Contains("-InboxPath", error.RecommendedAction, System.StringComparison.Ordinal);
    }

    [Fact]
    public void A_refused_default_inbox_folder_is_access_denied_and_says_it_is_the_default()
    {
        var path = CallbackSession.DefaultInboxPath;

        var exception = new InboxFolderException(path, isDefault: true, new System.UnauthorizedAccessException("Access to the path is denied."));
        var error = ErrorMapper.FromException(exception, path);

        Assert.Equal("AccessDenied", error.ErrorId);
        Assert.Equal(ErrorKind.PermissionDenied, error.Kind);
        Assert.Contains("'" + path + "'", exception.Message, System.StringComparison.Ordinal);
        Assert.Contains("default inbox folder", exception.Message, System.StringComparison.Ordinal);
        Assert.Contains("-InboxPath", error.RecommendedAction, System.StringComparison.Ordinal);
    }
}
