using PhysarumSM.Client.Gateway;

namespace PhysarumSM.Client.Tests.Units;

/// <summary>A call through the mesh goes to {gateway}{service}/{path and query}; nothing else of the request URI is kept.</summary>
public sealed class GatewayUriTests
{
    private static readonly Uri Gateway = new("http://127.0.0.1:4200/");

    [Theory]
    [InlineData("/", "http://127.0.0.1:4200/hello/")]
    [InlineData("", "http://127.0.0.1:4200/hello/")]
    [InlineData("api/items?x=1&y=a%20b", "http://127.0.0.1:4200/hello/api/items?x=1&y=a%20b")]
    [InlineData("/api/items/", "http://127.0.0.1:4200/hello/api/items/")]
    [InlineData("?q=1", "http://127.0.0.1:4200/hello/?q=1")]
    [InlineData("http://elsewhere.example:8080/deep/path?z=9#frag", "http://127.0.0.1:4200/hello/deep/path?z=9")]
    public void The_request_path_and_query_follow_the_service_segment(string request, string expected)
    {
        var uri = GatewayUri.For(Gateway, "hello", new Uri(request, UriKind.RelativeOrAbsolute));
        Assert.Equal(expected, uri.AbsoluteUri);
    }

    [Fact]
    public void No_request_uri_is_the_service_root()
    {
        Assert.Equal("http://127.0.0.1:4200/hello/", GatewayUri.For(Gateway, "hello", null).AbsoluteUri);
    }

    [Fact]
    public void A_gateway_below_a_path_keeps_its_path()
    {
        var uri = GatewayUri.For(new Uri("https://mesh.example/gw/"), "svc.v2", new Uri("/a", UriKind.Relative));
        Assert.Equal("https://mesh.example/gw/svc.v2/a", uri.AbsoluteUri);
    }
}
