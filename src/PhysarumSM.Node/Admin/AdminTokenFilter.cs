using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace PhysarumSM.Node.Admin;

/// <summary>
/// Guards the admin actions: 403 when the node has no <c>-admin-token</c> (actions are off), 401 unless the request
/// carries <c>Authorization: Bearer &lt;token&gt;</c> with the same token. Reads stay open: the listener is loopback by default.
/// </summary>
internal sealed class AdminTokenFilter(string? token) : IEndpointFilter
{
    private readonly byte[]? _expected = token is null ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (_expected is null)
        {
            return AdminResults.Error(StatusCodes.Status403Forbidden, "actions are disabled: start the node with -admin-token");
        }

        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return AdminResults.Error(StatusCodes.Status401Unauthorized, "this action needs 'Authorization: Bearer <token>' with the node's -admin-token");
        }

        // Hashes compared in constant time: neither the token's content nor its length leaks through timing.
        var given = SHA256.HashData(Encoding.UTF8.GetBytes(header[scheme.Length..].Trim()));
        if (!CryptographicOperations.FixedTimeEquals(given, _expected))
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return AdminResults.Error(StatusCodes.Status401Unauthorized, "the admin token is wrong");
        }

        return await next(context);
    }
}
