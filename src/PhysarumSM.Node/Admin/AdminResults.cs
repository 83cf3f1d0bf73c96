using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace PhysarumSM.Node.Admin;

/// <summary>The admin API's error answers: a status code and <c>{ "error": "..." }</c>, so a script can show why.</summary>
internal static class AdminResults
{
    public static JsonHttpResult<AdminError> Error(int status, string message) =>
        TypedResults.Json(new AdminError(message), AdminJsonContext.Api.AdminError, statusCode: status);
}
