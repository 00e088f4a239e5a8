using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using EnergyData.Validation;

namespace EnergyData.Neu;

/// <summary>Names of the NEU endpoints in the route table (the keys of -NeuRoute and of a route file).</summary>
public static class NeuRouteNames
{
    public const string Accounts = "Accounts";
    public const string Account = "Account";
    public const string Services = "Services";
    public const string Service = "Service";
    public const string Pqrs = "Pqrs";
    public const string Consumption = "Consumption";
    public const string Bills = "Bills";
    public const string BillDueDates = "BillDueDates";
    public const string BillsOverdue = "BillsOverdue";
    public const string Notifications = "Notifications";
    public const string NotificationInteractions = "NotificationInteractions";
    public const string Rules = "Rules";
    public const string RuleHistory = "RuleHistory";
    public const string Neugets = "Neugets";
    public const string NeugetPayments = "NeugetPayments";
    public const string FrontierConsumption = "FrontierConsumption";
}

/// <summary>
/// One endpoint: its HTTP method and path relative to the NEU base URI, optionally with a query part, with <c>{id}</c>
/// or <c>{page}</c> placeholders in either. An endpoint that takes an id but whose route has no <c>{id}</c> gets it as
/// the field <c>id</c> (see <see cref="NeuRouteTable"/>).
/// </summary>
public sealed class NeuRoute
{
    internal NeuRoute(string name, string method, string path, bool confirmed, bool isOverride)
    {
        Name = name;
        Method = method;
        Path = path;
        Confirmed = confirmed;
        IsOverride = isOverride;
    }

    public string Name { get; }

    /// <summary>GET, POST, PUT, PATCH or DELETE.</summary>
    public string Method { get; }

    public string Path { get; }

    /// <summary>True when public use of the API shows this method and path; false when it is inferred from the document's style.</summary>
    public bool Confirmed { get; }

    public bool IsOverride { get; }

    /// <summary>The path (and query, if any) with its placeholders replaced; values are URL-escaped, so they fit either part.</summary>
    public string Expand(IReadOnlyDictionary<string, string>? values = null)
    {
        var path = Path;
        if (values is not null)
        {
            foreach (var pair in values)
            {
                path = path.Replace("{" + pair.Key + "}", Uri.EscapeDataString(pair.Value));
            }
        }

        return path;
    }

    public override string ToString() => Method + " " + Path;

    internal bool HasPlaceholder(string name) => Path.Contains("{" + name + "}");
}

/// <summary>The effective route of one endpoint, as Get-NeuRoute shows it.</summary>
public sealed class NeuRouteInfo
{
    public string Name { get; set; } = string.Empty;

    public string Method { get; set; } = string.Empty;

    public string Path { get; set; } = string.Empty;

    /// <summary>Default or Override.</summary>
    public string Source { get; set; } = string.Empty;

    /// <summary>Whether the default method and path are confirmed by evidence of public use.</summary>
    public bool Confirmed { get; set; }

    /// <summary>The default this route replaces (equal to Method and Path when not overridden).</summary>
    public string DefaultRoute { get; set; } = string.Empty;

    /// <summary>
    /// Where the route sends its id: Path or Query (its <c>{id}</c> placeholder, "Path, Query" when in both), or, for a
    /// route without <c>{id}</c>, the field <c>id</c> in the Query (GET) or the Body (any other method). Empty for
    /// the routes that take no id.
    /// </summary>
    public string? IdIn { get; set; }
}

/// <summary>
/// Every NEU endpoint's method and path as data. NEU's public document names fields but few paths, so only three
/// defaults are confirmed by public use of the API; the rest follow their style. A session can replace any of them
/// (Connect-EnergyData -NeuRoute or -NeuRouteFile) without a new release.
/// </summary>
public sealed class NeuRouteTable
{
    private const string ParameterName = "NeuRoute";
    private static readonly string[] Methods = ["GET", "POST", "PUT", "PATCH", "DELETE"];
    private static readonly Regex Placeholder = new(@"\{([A-Za-z]+)\}", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    // A query parameter named id (any case), with or without a value: "id", "id=", "ID=5".
    private static readonly Regex QueryId = new(@"(^|&)id(=|&|$)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));

    private static readonly NeuRoute[] DefaultRoutes =
    [
        new(NeuRouteNames.Accounts, "GET", "accounts/", confirmed: false, isOverride: false),
        new(NeuRouteNames.Account, "GET", "accounts/{id}/", confirmed: false, isOverride: false),
        new(NeuRouteNames.Services, "GET", "services/", confirmed: false, isOverride: false),
        new(NeuRouteNames.Service, "GET", "services/{id}/", confirmed: false, isOverride: false),
        new(NeuRouteNames.Pqrs, "POST", "pqrs/", confirmed: false, isOverride: false),
        new(NeuRouteNames.Consumption, "POST", "data/consumption/", confirmed: true, isOverride: false),
        new(NeuRouteNames.Bills, "POST", "bills/", confirmed: false, isOverride: false),
        new(NeuRouteNames.BillDueDates, "POST", "bills/due-date/", confirmed: false, isOverride: false),
        new(NeuRouteNames.BillsOverdue, "GET", "bills/overdue/", confirmed: true, isOverride: false),
        new(NeuRouteNames.Notifications, "POST", "notifications/{page}/", confirmed: false, isOverride: false),
        new(NeuRouteNames.NotificationInteractions, "POST", "notifications/interactions/", confirmed: false, isOverride: false),
        new(NeuRouteNames.Rules, "POST", "rules/", confirmed: false, isOverride: false),
        new(NeuRouteNames.RuleHistory, "POST", "rules/history/", confirmed: false, isOverride: false),
        new(NeuRouteNames.Neugets, "GET", "neugets/{id}/", confirmed: false, isOverride: false),
        new(NeuRouteNames.NeugetPayments, "GET", "neugets/bills/{id}/", confirmed: false, isOverride: false),
        new(NeuRouteNames.FrontierConsumption, "POST", "ddv/consumption", confirmed: true, isOverride: false),
    ];

    // The endpoints that page. Only the notifications section of the document says the page travels in the URL (so only
    // that default has {page}); the others name a Page or PageNumber body field, which is always sent, but a server may
    // read the page from the URL for them too (interactions are a sub-endpoint of notifications), so an override may
    // place {page} in their path or query as well.
    private static readonly HashSet<string> PagedRoutes = new(StringComparer.OrdinalIgnoreCase)
    {
        NeuRouteNames.Bills,
        NeuRouteNames.BillDueDates,
        NeuRouteNames.Notifications,
        NeuRouteNames.NotificationInteractions,
        NeuRouteNames.Rules,
        NeuRouteNames.RuleHistory,
    };

    private readonly Dictionary<string, NeuRoute> routes;

    private NeuRouteTable(Dictionary<string, NeuRoute> routes)
    {
        this.routes = routes;
    }

    /// <summary>The built-in table, without overrides.</summary>
    public static NeuRouteTable Default { get; } = new(DefaultRoutes.ToDictionary(route => route.Name, StringComparer.OrdinalIgnoreCase));

    public static IReadOnlyList<string> Names { get; } = DefaultRoutes.Select(route => route.Name).ToArray();

    public NeuRoute this[string name] =>
        routes.TryGetValue(name, out var route) ? route : throw new ArgumentException($"'{name}' is not a NEU route name.", nameof(name));

    /// <summary>
    /// The default table with <paramref name="overrides"/> (name to "METHOD path") applied. Each override must name a
    /// known endpoint, use an HTTP method, be a relative path without "..", a fragment or spaces (optionally followed by
    /// one query part, "?name={id}"), and keep the placeholders of the default path, in its path or its query, except
    /// <c>{id}</c>: a route without it sends the id as the field <c>id</c>, so its query must not name <c>id</c>
    /// itself. A paged endpoint may also have <c>{page}</c>.
    /// </summary>
    /// <exception cref="ParameterValidationException">An override is malformed; the message names NeuRoute and the rule.</exception>
    public static NeuRouteTable Create(IEnumerable<KeyValuePair<string, string?>>? overrides)
    {
        var table = DefaultRoutes.ToDictionary(route => route.Name, StringComparer.OrdinalIgnoreCase);
        if (overrides is null)
        {
            return new NeuRouteTable(table);
        }

        foreach (var pair in overrides)
        {
            var name = pair.Key?.Trim() ?? string.Empty;
            if (!table.TryGetValue(name, out var current))
            {
                throw new ParameterValidationException(
                    ParameterName,
                    "must name a known NEU endpoint (" + string.Join(", ", Names) + ")",
                    $"'{pair.Key}' is not one.");
            }

            var defaultRoute = Default[current.Name];
            var (method, path) = Parse(current.Name, pair.Value);
            CheckPlaceholders(current.Name, defaultRoute.Path, path);
            table[current.Name] = new NeuRoute(current.Name, method, path, defaultRoute.Confirmed, isOverride: true);
        }

        return new NeuRouteTable(table);
    }

    /// <summary>Reads overrides from a JSON file holding one object of name to "METHOD path".</summary>
    public static IReadOnlyList<KeyValuePair<string, string?>> ReadOverrideFile(string path)
    {
        var file = InputRules.Required(path, "NeuRouteFile");
        string text;
        try
        {
            text = File.ReadAllText(file);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new ParameterValidationException("NeuRouteFile", "must be a readable file", exception.Message);
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ParameterValidationException("NeuRouteFile", "must hold a JSON object of endpoint name to \"METHOD path\"", "The file's top level is not an object.");
            }

            var result = new List<KeyValuePair<string, string?>>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    throw new ParameterValidationException("NeuRouteFile", "must map each endpoint name to a string \"METHOD path\"", $"'{property.Name}' is {property.Value.ValueKind}.");
                }

                result.Add(new(property.Name, property.Value.GetString()));
            }

            return result;
        }
        catch (JsonException exception)
        {
            throw new ParameterValidationException("NeuRouteFile", "must be valid JSON", exception.Message);
        }
    }

    /// <summary>Every route in table order, for display.</summary>
    public IReadOnlyList<NeuRouteInfo> Describe() =>
        DefaultRoutes.Select(defaultRoute =>
        {
            var route = routes[defaultRoute.Name];
            return new NeuRouteInfo
            {
                Name = route.Name,
                Method = route.Method,
                Path = route.Path,
                Source = route.IsOverride ? "Override" : "Default",
                Confirmed = defaultRoute.Confirmed,
                DefaultRoute = defaultRoute.ToString(),
                IdIn = defaultRoute.HasPlaceholder("id") ? IdPlacement(route) : null,
            };
        }).ToList();

    /// <summary>Where a route that takes an id sends it (the values of <see cref="NeuRouteInfo.IdIn"/>).</summary>
    private static string IdPlacement(NeuRoute route)
    {
        if (!route.HasPlaceholder("id"))
        {
            // Sent as the field id, which NeuClient puts where it puts every other field of the route.
            return route.Method == "GET" ? "Query" : "Body";
        }

        var queryStart = route.Path.IndexOf('?');
        var inPath = (queryStart < 0 ? route.Path : route.Path.Substring(0, queryStart)).Contains("{id}");
        var inQuery = queryStart >= 0 && route.Path.Substring(queryStart).Contains("{id}");
        return inPath && inQuery ? "Path, Query" : inPath ? "Path" : "Query";
    }

    /// <summary>How many routes are overridden in this table.</summary>
    public int OverrideCount => routes.Values.Count(route => route.IsOverride);

    private static (string Method, string Path) Parse(string name, string? text)
    {
        var value = (text ?? string.Empty).Trim();
        var space = value.IndexOfAny([' ', '\t']);
        if (space <= 0)
        {
            throw new ParameterValidationException(ParameterName, "must give each route as \"METHOD path\" (for example 'POST data/consumption/')", $"{name} = '{text}'.");
        }

        var method = value.Substring(0, space).ToUpperInvariant();
        var path = value.Substring(space + 1).Trim();
        if (Array.IndexOf(Methods, method) < 0)
        {
            throw new ParameterValidationException(ParameterName, "must use an HTTP method: " + string.Join(", ", Methods), $"{name} = '{text}'.");
        }

        if (path.Length == 0)
        {
            throw new ParameterValidationException(ParameterName, "must give each route as \"METHOD path\" (for example 'POST data/consumption/')", $"{name} = '{text}' has no path.");
        }

        if (path.Contains("://") || path.StartsWith("//", StringComparison.Ordinal) || path.Contains("\\"))
        {
            throw new ParameterValidationException(ParameterName, "must be a path relative to the NEU base URI, not an absolute URL", $"{name} = '{text}'.");
        }

        if (path.IndexOfAny(['#', ' ', '\t']) >= 0)
        {
            throw new ParameterValidationException(ParameterName, "must be a path without a fragment ('#') or spaces", $"{name} = '{text}'.");
        }

        // The document leaves open whether an id or page travels in the path or the query, so one query part is allowed.
        var queryStart = path.IndexOf('?');
        var pathPart = queryStart < 0 ? path : path.Substring(0, queryStart);
        var queryPart = queryStart < 0 ? null : path.Substring(queryStart + 1);
        if (pathPart.TrimStart('/').Length == 0)
        {
            throw new ParameterValidationException(ParameterName, "must give each route as \"METHOD path\" (for example 'POST data/consumption/')", $"{name} = '{text}' has no path before its query.");
        }

        if (pathPart.Split('/').Any(segment => segment == ".." || segment == "."))
        {
            throw new ParameterValidationException(ParameterName, "must not contain '..' or '.' path segments", $"{name} = '{text}'.");
        }

        if (InputRules.HasEncodedDotOrSeparator(pathPart))
        {
            throw new ParameterValidationException(ParameterName, "must not hold a percent-encoded dot, slash or backslash (%2e, %2f, %5c) before its query: write a dot as '.'", $"{name} = '{text}'.");
        }

        if (queryPart is not null && (queryPart.Length == 0 || queryPart.IndexOf('?') >= 0))
        {
            throw new ParameterValidationException(ParameterName, "must have at most one query part, after a single '?', and not an empty one", $"{name} = '{text}'.");
        }

        // Relative to the base URI: a leading slash would otherwise climb to the host's root.
        return (method, path.TrimStart('/'));
    }

    private static void CheckPlaceholders(string name, string defaultPath, string path)
    {
        var expected = Placeholder.Matches(defaultPath).Cast<Match>().Select(match => match.Groups[1].Value).ToList();
        var allowed = PagedRoutes.Contains(name) ? expected.Union(["page"], StringComparer.Ordinal).ToList() : expected;
        var given = Placeholder.Matches(path).Cast<Match>().Select(match => match.Groups[1].Value).ToList();

        // The document lists the id in the same "Propiedad" tables as the body fields of other endpoints and does not
        // say where it goes, so {id} may be left out: the id is then sent as the field id, in the body, or in the
        // query of a GET. A query that names id as well would send it twice, or an empty one beside the real one.
        var idIsField = expected.Contains("id", StringComparer.Ordinal) && !given.Contains("id", StringComparer.Ordinal);
        var queryStart = path.IndexOf('?');
        if (idIsField && queryStart >= 0 && QueryId.IsMatch(path.Substring(queryStart + 1)))
        {
            throw new ParameterValidationException(
                ParameterName,
                $"must not name id in its query without the placeholder {{id}} of route {name}: without it the id is sent as the field id",
                $"'{path}' names id.");
        }

        foreach (var placeholder in expected.Where(placeholder => placeholder != "id"))
        {
            if (!given.Contains(placeholder, StringComparer.Ordinal))
            {
                throw new ParameterValidationException(ParameterName, $"must keep the placeholder {{{placeholder}}} of route {name}", $"'{path}' has no {{{placeholder}}}.");
            }
        }

        foreach (var placeholder in given)
        {
            if (!allowed.Contains(placeholder, StringComparer.Ordinal))
            {
                throw new ParameterValidationException(
                    ParameterName,
                    allowed.Count == 0 ? $"must not use placeholders in route {name}" : $"must use only the placeholders of route {name}: " + string.Join(", ", allowed.Select(p => "{" + p + "}")),
                    $"'{path}' has {{{placeholder}}}.");
            }
        }

        // A brace that is not part of a placeholder would be sent literally.
        if (Placeholder.Replace(path, string.Empty).IndexOfAny(['{', '}']) >= 0)
        {
            throw new ParameterValidationException(ParameterName, "must use placeholders of the form {name}", $"'{path}' has a stray brace.");
        }
    }
}
