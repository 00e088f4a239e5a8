using System;
using System.Security;

namespace EnergyData.Khipu;

/// <summary>
/// RequestData.AccountCredential: deprecated by Khipu but required with API-key authentication for CEN and TGR.
/// Its inner shape is not public; two variants are documented by name only. This client sends
/// <c>{"Username": ..., "Password": ...}</c> (the field names Khipu's token endpoint uses) or
/// <c>{"AccountLink": ...}</c>. The secret stays a SecureString until the request body is written.
/// </summary>
public sealed class KhipuAccountCredential
{
    private KhipuAccountCredential(string? userName, SecureString secret, bool isAccountLink)
    {
        UserName = userName;
        Secret = secret;
        IsAccountLink = isAccountLink;

        // Once, here: a server may echo the password or link in an error text, which must not show it.
        Diagnostics.KnownSecrets.Register(secret);
    }

    public string? UserName { get; }

    public bool IsAccountLink { get; }

    internal SecureString Secret { get; }

    public static KhipuAccountCredential FromUserName(string userName, SecureString password)
    {
        if (string.IsNullOrWhiteSpace(userName))
        {
            throw new Validation.ParameterValidationException("AccountCredential", "must have a user name");
        }

        return new KhipuAccountCredential(userName, password ?? throw new ArgumentNullException(nameof(password)), isAccountLink: false);
    }

    public static KhipuAccountCredential FromAccountLink(SecureString accountLink) =>
        new(null, accountLink ?? throw new ArgumentNullException(nameof(accountLink)), isAccountLink: true);

    public override string ToString() => IsAccountLink ? "AccountLink (hidden)" : $"{UserName} (password hidden)";
}
