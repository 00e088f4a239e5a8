using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Management.Automation;
using System.Threading.Tasks;
using EnergyData.Neu;
using EnergyData.Pipeline;

namespace EnergyData.Commands;

/// <summary>
/// Invoke-NeuRequest: calls any NEU path (for endpoints or fields this module does not cover yet). A JSON array
/// response gives one object per element, nested objects flattened to dotted property names, the same names on every
/// object of the command (see NeuClient.InvokeAsync and RowFieldProperties). PUT, PATCH and DELETE
/// go through ShouldProcess at impact Medium (-WhatIf; a prompt with -Confirm or a $ConfirmPreference of Medium or
/// Low, so unattended scripts are not stopped); GET and POST, which NEU also uses for reads, never do.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "NeuRequest", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(NeuResponseItem))]
public sealed class InvokeNeuRequestCommand : NeuCmdlet
{
    // The names of the first item written, given to every later item (see RowFieldProperties).
    private readonly RowFieldProperties fieldProperties = new();

    /// <summary>GET, POST, PUT, PATCH or DELETE.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateSet("GET", "POST", "PUT", "PATCH", "DELETE", IgnoreCase = true)]
    public string Method { get; set; } = "GET";

    /// <summary>Path relative to the NEU base URI, for example bills/overdue/.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Route")]
    [AllowEmptyString]
    public string Path { get; set; } = string.Empty;

    /// <summary>The JSON body as a hashtable or a [pscustomobject] (sent as the query string with GET).</summary>
    [Parameter(Position = 2, ValueFromPipelineByPropertyName = true)]
    [DictionaryFromObject]
    public IDictionary? Body { get; set; }

    protected override void ProcessRecord()
    {
        var method = Method;
        var path = Path;
        Dictionary<string, object?>? body;
        try
        {
            // Checked before ShouldProcess, so a bad input is reported rather than offered for confirmation.
            body = Body is null ? null : ConvertMap(Body);
            NeuClient.CheckInvokeRequest(method, path, body);
        }
        catch (Validation.ParameterValidationException exception)
        {
            WriteFailure(exception, path);
            return;
        }

        // On the pipeline thread, before anything is sent; declining (or -WhatIf) skips this input without an error.
        // -Confirm asks only for the methods that change data (NEU reads with POST), but -WhatIf sends nothing at all.
        if ((NeuInput.ChangesData(method) || WhatIfRequested()) && !ShouldProcess($"{path} on {ResolvedConnection.NeuBaseUri}", $"Send a {method.ToUpperInvariant()} request"))
        {
            return;
        }

        Submit(path, context => WriteItemsAsync(context, Neu.InvokeAsync(method, path, body, context, context.CancellationToken)));
    }

    private bool WhatIfRequested() =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out var whatIf)
            ? LanguagePrimitives.IsTrue(whatIf)
            : LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference"));

    protected override object Shape(object item)
    {
        if (item is not NeuResponseItem response)
        {
            return base.Shape(item);
        }

        // The item's own fields become properties beside the fixed ones, so Export-Csv writes them as columns: under
        // the names of the first item this command wrote, so that the rows of every response have the same columns.
        var shaped = fieldProperties.Add(response, response.GetFields(), out var display, out var unwritten);
        if (unwritten.Count > 0)
        {
            WriteWarning(NewColumnsWarning(response, unwritten));
        }

        // Format-Table and Format-List show the response's own fields (there is no view: NEU's fields vary by path);
        // RequestMethod, RequestPath, ItemIndex and RawJson stay for Select-Object and Export-Csv.
        if (display.Count > 0)
        {
            shaped.Members.Add(new PSMemberSet("PSStandardMembers", [new PSPropertySet("DefaultDisplayPropertySet", display)]));
        }

        return shaped;
    }

    private static string NewColumnsWarning(NeuResponseItem item, IReadOnlyList<string> names) =>
        string.Format(
            CultureInfo.InvariantCulture,
            "Item {0} of {1} {2} has fields the first item this command wrote has not ({3}). Export-Csv and Format-Table take their columns from the first object, so they will not show them; they are properties of the object and in its RawJson. Send requests whose answers differ in separate commands to see all their fields. This warning is given once per command.",
            item.ItemIndex,
            item.RequestMethod,
            item.RequestPath,
            RowFieldProperties.NameList(names));

    private static async Task WriteItemsAsync(IOperationContext context, IAsyncEnumerable<NeuResponseItem> items) =>
        await context.WriteAllAsync(items).ConfigureAwait(false);

    private static Dictionary<string, object?> ConvertMap(IDictionary? map) =>
        PlainValues.FromMap(map, "Body", _ => throw new Validation.ParameterValidationException("Body", "must not contain a SecureString or PSCredential: NEU takes only the session's token"));
}
