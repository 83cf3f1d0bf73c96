using System.Text;
using PhysarumSM.Containers.Images;

namespace PhysarumSM.Containers.Tests.Images;

/// <summary>Reading the logins `docker login` saves (config.json's auths) and the errors for files that cannot be used.</summary>
public sealed class RegistryLoginsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("physarum-config-").FullName;

    [Fact]
    public void No_config_file_means_no_logins()
    {
        var logins = new RegistryLogins(_directory);

        Assert.Null(logins.Find("127.0.0.1:5000"));
        Assert.Equal(Path.Combine(_directory, "config.json"), logins.ConfigPath);
    }

    [Fact]
    public void The_auth_field_is_base64_of_user_and_password_and_the_password_may_hold_colons()
    {
        Write($$"""{ "auths": { "10.0.0.1:5000": { "auth": "{{Base64("alice:pa:ss")}}" }, "other:5000": { "auth": "{{Base64("bob:x")}}" } } }""");

        var credentials = new RegistryLogins(_directory).Find("10.0.0.1:5000");

        Assert.Equal(new RegistryCredentials("alice", "pa:ss", "10.0.0.1:5000"), credentials);
        Assert.DoesNotContain("pa:ss", credentials!.ToString(), StringComparison.Ordinal);   // the password stays out of logs
    }

    [Fact]
    public void Url_keys_of_older_clients_username_fields_and_identity_tokens_are_read()
    {
        Write("""
            {
              "auths": {
                "http://10.0.0.1:5000/v2/": { "username": "carol", "password": "pw" },
                "https://10.0.0.2:5000": { "identitytoken": "tok" }
              }
            }
            """);
        var logins = new RegistryLogins(_directory);

        Assert.Equal(new RegistryCredentials("carol", "pw", "10.0.0.1:5000"), logins.Find("10.0.0.1:5000"));
        Assert.Equal("tok", logins.Find("10.0.0.2:5000")!.IdentityToken);
        Assert.Null(logins.Find("10.0.0.3:5000"));
    }

    [Theory]
    [InlineData("{ not json", "cannot read the registry logins in")]
    [InlineData("[]", "is not a JSON object")]
    [InlineData("""{ "auths": { "10.0.0.1:5000": { "auth": "%%%" } } }""", "not base64 of user:password")]
    [InlineData("""{ "auths": { "10.0.0.1:5000": { "auth": "bm9jb2xvbg==" } } }""", "not user:password")]
    [InlineData("""{ "credsStore": "secretservice" }""", "credential helper 'secretservice'")]
    [InlineData("""{ "credHelpers": { "10.0.0.1:5000": "pass" } }""", "credential helper 'pass'")]
    public void An_unusable_file_is_an_error_that_names_it_and_says_what_to_do(string json, string expected)
    {
        Write(json);
        var logins = new RegistryLogins(_directory);

        var error = Assert.Throws<RegistryLoginException>(() => logins.Find("10.0.0.1:5000"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains(logins.ConfigPath, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_login_in_the_file_wins_over_a_credential_store_for_other_registries()
    {
        Write($$"""{ "credsStore": "secretservice", "auths": { "10.0.0.1:5000": { "auth": "{{Base64("dave:pw")}}" } } }""");

        Assert.Equal("dave", new RegistryLogins(_directory).Find("10.0.0.1:5000")!.Username);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private void Write(string json) => File.WriteAllText(Path.Combine(_directory, "config.json"), json);

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
