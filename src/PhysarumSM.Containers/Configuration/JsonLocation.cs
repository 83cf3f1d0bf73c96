using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace PhysarumSM.Containers.Configuration;

/// <summary>Turns System.Text.Json's zero-based line and byte offsets into what an editor shows: 1-based line and character column.</summary>
internal static partial class JsonLocation
{
    /// <summary>"line L, column C" of the reader's position when <paramref name="ex"/> was thrown (for syntax errors: the bad character).</summary>
    public static string Describe(ReadOnlySpan<byte> json, JsonException ex) => At(json, Offset(json, ex));

    /// <summary>
    /// "line L, column C" of the start of the value the serializer rejected. Why not its reported position: that is
    /// just past the value, and an editor's cursor belongs on the value itself.
    /// </summary>
    public static string DescribeValue(ReadOnlySpan<byte> json, JsonException ex)
    {
        var end = Offset(json, ex);
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        while (reader.Read())
        {
            if (reader.BytesConsumed >= end)
            {
                return At(json, (int)reader.TokenStartIndex);
            }
        }

        return At(json, end);
    }

    /// <summary>The reader's own explanation without the position suffix it appends (we print the position ourselves).</summary>
    public static string Reason(JsonException ex) => PositionSuffix().Replace(ex.Message, "").TrimEnd('.', ' ');

    /// <summary>"an array", "a string", …: for messages about the top level.</summary>
    public static string KindName(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "not an object",
    };

    private static int Offset(ReadOnlySpan<byte> json, JsonException ex)
    {
        var start = 0;
        for (var line = 0L; line < (ex.LineNumber ?? 0); line++)
        {
            var next = json[start..].IndexOf((byte)'\n');
            if (next < 0)
            {
                break;
            }

            start += next + 1;
        }

        return (int)Math.Min(start + (ex.BytePositionInLine ?? 0), json.Length);
    }

    // Columns count characters, not UTF-8 bytes, so a name with 'é' before the error does not shift it.
    private static string At(ReadOnlySpan<byte> json, int offset)
    {
        var before = json[..offset];
        var lineStart = before.LastIndexOf((byte)'\n') + 1;
        return $"line {before.Count((byte)'\n') + 1}, column {Encoding.UTF8.GetCharCount(before[lineStart..]) + 1}";
    }

    [GeneratedRegex(@"\s*(Path: .*?\| )?LineNumber: \d+ \| BytePositionInLine: \d+\.?\s*$")]
    private static partial Regex PositionSuffix();
}
