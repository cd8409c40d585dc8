using System.Text.Json;
using Outpost.Hubs;
using Outpost.Servers;

namespace Outpost.Tests.Servers;

public sealed class StartRequestReaderTests
{
    [Fact]
    public void Read_RecreateForwardUrl_IsForTheOutpostNotTheServer()
    {
        var (spec, errors) = Read("""{"name": "", "env": {"JUPYTERHUB_RECREATEFORWARD_URL": "http://hub/hub/api/recreateforward/sys"}, "user_options": {"start_id": "s1"}}""");

        Assert.Empty(errors);
        Assert.Equal("http://hub/hub/api/recreateforward/sys", spec!.RecreateForwardUrl);
        Assert.DoesNotContain("JUPYTERHUB_RECREATEFORWARD_URL", spec.Env.Keys);
    }

    [Fact]
    public void Read_FullBody_ReadsEveryField()
    {
        var (spec, errors) = Read("""
            {
              "name": "lab",
              "env": {"JUPYTERHUB_USER": "alice", "JUPYTERHUB_USER_ID": "17", "JUPYTERHUB_API_TOKEN": "tok"},
              "user_options": {"start_id": "abc-1", "flavor": "big", "profile": "gpu", "other": [1, 2]},
              "misc": {"port": 8888},
              "certs": {"keyfile": "KEY", "certfile": "CERT", "cafile": "CA"},
              "internal_trust_bundles": {"hub-ca": "HUBCA"},
              "authentication": {"name": "alice", "groups": ["a"]}
            }
            """);

        Assert.Empty(errors);
        Assert.NotNull(spec);
        Assert.Equal("lab", spec.Name);
        Assert.Equal("abc-1", spec.StartId);
        Assert.Equal("big", spec.Flavor);
        Assert.Equal("gpu", spec.Profile);
        Assert.Equal("alice", spec.UserName);
        Assert.Equal(17, spec.UserId);
        Assert.Equal("tok", spec.Env["JUPYTERHUB_API_TOKEN"]);
        Assert.Equal(["flavor", "other", "profile"], spec.UserOptions.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(8888, spec.Misc["port"].GetInt32());
        Assert.NotNull(spec.Certs);
        Assert.Equal(("KEY", "CERT", "CA"), (spec.Certs.KeyFile, spec.Certs.CertFile, spec.Certs.CaFile));
        Assert.Equal("HUBCA", spec.Certs.TrustBundles["hub-ca"]);
    }

    [Fact]
    public void Read_MinimalBody_UsesDefaults()
    {
        var (spec, errors) = Read("""{"name": ""}""");

        Assert.Empty(errors);
        Assert.NotNull(spec);
        Assert.Equal("", spec.Name);
        Assert.Equal("0", spec.StartId);
        Assert.Empty(spec.Env);
        Assert.Empty(spec.UserOptions);
        Assert.Empty(spec.Misc);
        Assert.Null(spec.Certs);
        Assert.Null(spec.Flavor);
        Assert.Null(spec.Profile);
        Assert.Equal("", spec.UserName);
        Assert.Equal(0, spec.UserId);
    }

    [Theory]
    [InlineData("\"7\"", "7")]
    [InlineData("7", "7")]
    [InlineData("\"a.b_c-D\"", "a.b_c-D")]
    [InlineData("null", "0")]
    public void Read_StartIdInUserOptions_BecomesStartIdAndIsRemoved(string json, string expected)
    {
        var (spec, errors) = Read($$$"""{"name": "x", "user_options": {"start_id": {{{json}}}, "keep": 1}}""");

        Assert.Empty(errors);
        Assert.Equal(expected, spec!.StartId);
        Assert.Equal(["keep"], spec.UserOptions.Keys);
    }

    [Theory]
    [InlineData("""{"name": "x", "flavor": "small"}""", "small")]
    [InlineData("""{"name": "x", "flavor": "small", "user_options": {"flavor": "big"}}""", "big")]
    [InlineData("""{"name": "x", "user_options": {"flavor": "big"}}""", "big")]
    [InlineData("""{"name": "x", "flavor": "small", "user_options": {"flavor": null}}""", "small")]
    [InlineData("""{"name": "x", "flavor": "small", "user_options": {"flavor": ""}}""", "small")]
    [InlineData("""{"name": "x", "flavor": ""}""", null)]
    [InlineData("""{"name": "x", "flavor": null}""", null)]
    public void Read_Flavor_UserOptionsFlavorWinsWhenSet(string body, string? expected)
    {
        var (spec, errors) = Read(body);

        Assert.Empty(errors);
        Assert.Equal(expected, spec!.Flavor);
    }

    [Theory]
    [InlineData("""{"name": "x", "user_options": {"profile": "gpu"}}""", "gpu")]
    [InlineData("""{"name": "x", "user_options": {"profile": null}}""", null)]
    [InlineData("""{"name": "x", "user_options": {"profile": ""}}""", null)]
    public void Read_Profile_ComesFromUserOptions(string body, string? expected)
    {
        var (spec, errors) = Read(body);

        Assert.Empty(errors);
        Assert.Equal(expected, spec!.Profile);
    }

    [Fact]
    public void Read_EnvNumbersAndBooleans_BecomeStrings()
    {
        var (spec, errors) = Read("""{"name": "x", "env": {"A": 17, "B": true, "C": false, "D": 1.5, "E": "text"}}""");

        Assert.Empty(errors);
        Assert.Equal(
            new Dictionary<string, string> { ["A"] = "17", ["B"] = "True", ["C"] = "False", ["D"] = "1.5", ["E"] = "text" },
            spec!.Env);
    }

    [Fact]
    public void Read_EnvNullValue_IsSkipped()
    {
        var (spec, errors) = Read("""{"name": "x", "env": {"A": null, "B": "b"}}""");

        Assert.Empty(errors);
        Assert.Equal(["B"], spec!.Env.Keys);
    }

    [Theory]
    [InlineData("\"env\": null")]
    [InlineData("\"user_options\": null")]
    [InlineData("\"misc\": null")]
    [InlineData("\"certs\": null")]
    [InlineData("\"authentication\": null")]
    public void Read_NullOptionalObject_IsTreatedAsAbsent(string field)
    {
        var (spec, errors) = Read($$"""{"name": "x", {{field}}}""");

        Assert.Empty(errors);
        Assert.NotNull(spec);
    }

    [Fact]
    public void Read_ClientControlledStateFields_AreIgnored()
    {
        var (spec, errors) = Read("""
            {"name": "x", "start_id": "99", "state": {"pid": 1}, "end_date": "2000-01-01T00:00:00",
             "state_stored": true, "start_pending": false, "stop_pending": true}
            """);

        Assert.Empty(errors);
        Assert.NotNull(spec);
        Assert.Equal("0", spec.StartId);
    }

    [Fact]
    public void Read_TopLevelStartId_DoesNotOverrideUserOptions()
    {
        var (spec, _) = Read("""{"name": "x", "start_id": "99", "user_options": {"start_id": "5"}}""");

        Assert.Equal("5", spec!.StartId);
    }

    public static TheoryData<string, string, string[]> InvalidBodies() => new()
    {
        { "[]", "model_type", ["body"] },
        { "\"text\"", "model_type", ["body"] },
        { "{}", "missing", ["body", "name"] },
        { """{"name": 5}""", "string_type", ["body", "name"] },
        { """{"name": null}""", "string_type", ["body", "name"] },
        { """{"name": "a/b"}""", "value_error", ["body", "name"] },
        { """{"name": "a\\b"}""", "value_error", ["body", "name"] },
        { """{"name": "a b"}""", "value_error", ["body", "name"] },
        { """{"name": "a\u0001b"}""", "value_error", ["body", "name"] },
        { """{"name": "a\nb"}""", "value_error", ["body", "name"] },
        { $$"""{"name": "{{new string('n', 256)}}"}""", "value_error", ["body", "name"] },
        { """{"name": "x", "env": []}""", "dict_type", ["body", "env"] },
        { """{"name": "x", "env": "A=1"}""", "dict_type", ["body", "env"] },
        { """{"name": "x", "env": {"1ABC": "v"}}""", "value_error", ["body", "env", "1ABC"] },
        { """{"name": "x", "env": {"A-B": "v"}}""", "value_error", ["body", "env", "A-B"] },
        { """{"name": "x", "env": {"": "v"}}""", "value_error", ["body", "env", ""] },
        { """{"name": "x", "env": {"A": {"b": 1}}}""", "string_type", ["body", "env", "A"] },
        { """{"name": "x", "env": {"A": [1]}}""", "string_type", ["body", "env", "A"] },
        { """{"name": "x", "env": {"A": "a\u0000b"}}""", "value_error", ["body", "env", "A"] },
        { """{"name": "x", "user_options": []}""", "dict_type", ["body", "user_options"] },
        { """{"name": "x", "misc": "port"}""", "dict_type", ["body", "misc"] },
        { """{"name": "x", "user_options": {"start_id": "a b"}}""", "value_error", ["body", "user_options", "start_id"] },
        { """{"name": "x", "user_options": {"start_id": "a/b"}}""", "value_error", ["body", "user_options", "start_id"] },
        { """{"name": "x", "user_options": {"start_id": ""}}""", "value_error", ["body", "user_options", "start_id"] },
        { """{"name": "x", "user_options": {"start_id": true}}""", "value_error", ["body", "user_options", "start_id"] },
        { $$$"""{"name": "x", "user_options": {"start_id": "{{{new string('1', 65)}}}"}}""", "value_error", ["body", "user_options", "start_id"] },
        { """{"name": "x", "user_options": {"flavor": 3}}""", "string_type", ["body", "user_options", "flavor"] },
        { """{"name": "x", "user_options": {"profile": 3}}""", "string_type", ["body", "user_options", "profile"] },
        { """{"name": "x", "flavor": 3}""", "string_type", ["body", "flavor"] },
        { """{"name": "x", "certs": "pem"}""", "dict_type", ["body", "certs"] },
        { """{"name": "x", "certs": {"keyfile": "K", "certfile": "C", "cafile": "A", "other": "O"}}""", "extra_forbidden", ["body", "certs", "other"] },
        { """{"name": "x", "certs": {"keyfile": 1, "certfile": "C", "cafile": "A"}}""", "string_type", ["body", "certs", "keyfile"] },
        { """{"name": "x", "certs": {"keyfile": "K"}, "internal_trust_bundles": {"hub-ca": 1}}""", "string_type", ["body", "internal_trust_bundles", "hub-ca"] },
        { """{"name": "x", "certs": {"keyfile": "K"}, "internal_trust_bundles": {"../etc": "X"}}""", "value_error", ["body", "internal_trust_bundles", "../etc"] },
        { """{"name": "x", "certs": {"keyfile": "K"}, "internal_trust_bundles": {"-ca": "X"}}""", "value_error", ["body", "internal_trust_bundles", "-ca"] },
        { """{"name": "x", "authentication": "alice"}""", "dict_type", ["body", "authentication"] },
        { """{"name": "x", "authentication": []}""", "dict_type", ["body", "authentication"] },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public void Read_InvalidBody_ReportsLocAndType(string body, string type, string[] loc)
    {
        var (spec, errors) = Read(body);

        Assert.Null(spec);
        var error = Assert.Single(errors);
        Assert.Equal(type, error.Type);
        Assert.Equal(loc, error.Loc);
        Assert.False(string.IsNullOrWhiteSpace(error.Msg));
    }

    [Fact]
    public void Read_SeveralInvalidFields_ReportsEveryOne()
    {
        var (spec, errors) = Read("""{"name": 1, "env": {"1X": "v", "B": {}}, "misc": [], "authentication": 2}""");

        Assert.Null(spec);
        Assert.Equal(
            ["body.name", "body.env.1X", "body.env.B", "body.misc", "body.authentication"],
            errors.Select(e => string.Join('.', e.Loc)));
    }

    [Theory]
    [InlineData("JUPYTERHUB_API_TOKEN")]
    [InlineData("JUPYTERHUB_ANYTHING")]
    [InlineData("JUPYTER_IMAGE")]
    public void StartPolicyCheck_JupyterKeys_AreAllowed(string key)
    {
        var problems = StartPolicy.Check(Spec(env: [key]), "hub1", new HubOptions());

        Assert.Empty(problems);
    }

    [Fact]
    public void StartPolicyCheck_OtherKeyNotListed_IsRefusedWithItsName()
    {
        var problems = StartPolicy.Check(Spec(env: ["MY_VAR"]), "hub1", null);

        var problem = Assert.Single(problems);
        Assert.Contains("'MY_VAR'", problem);
        Assert.Contains("hub1", problem);
    }

    [Fact]
    public void StartPolicyCheck_OtherKeyInAllowedEnv_IsAllowed()
    {
        var problems = StartPolicy.Check(Spec(env: ["MY_VAR"]), "hub1", new HubOptions { AllowedEnv = ["MY_VAR"] });

        Assert.Empty(problems);
    }

    [Theory]
    [InlineData("PATH")]
    [InlineData("LD_PRELOAD")]
    [InlineData("PYTHONPATH")]
    public void StartPolicyCheck_ForbiddenKeyEvenIfListed_IsRefused(string key)
    {
        var problems = StartPolicy.Check(Spec(env: [key]), "hub1", new HubOptions { AllowedEnv = [key] });

        var problem = Assert.Single(problems);
        Assert.Contains($"'{key}'", problem);
    }

    [Fact]
    public void StartPolicyCheck_DefaultMiscKeys_AreAllowed()
    {
        var problems = StartPolicy.Check(Spec(misc: [.. MiscPolicy.DefaultKeys]), "hub1", new HubOptions());

        Assert.Empty(problems);
    }

    [Fact]
    public void StartPolicyCheck_MiscKeyNotAllowed_IsRefusedWithItsName()
    {
        var problems = StartPolicy.Check(Spec(misc: ["cmd", "port"]), "hub1", null);

        var problem = Assert.Single(problems);
        Assert.Contains("'cmd'", problem);
    }

    [Fact]
    public void StartPolicyCheck_ExplicitAllowedMisc_ReplacesTheDefaults()
    {
        var problems = StartPolicy.Check(Spec(misc: ["cmd", "port"]), "hub1", new HubOptions { AllowedMisc = ["cmd"] });

        var problem = Assert.Single(problems);
        Assert.Contains("'port'", problem);
    }

    [Fact]
    public void StartPolicyCheck_SeveralProblems_ListsEachSorted()
    {
        var problems = StartPolicy.Check(Spec(env: ["ZED", "PATH", "JUPYTERHUB_USER"], misc: ["cmd"]), "hub1", null);

        Assert.Equal(3, problems.Count);
        Assert.Contains("'PATH'", problems[0]);
        Assert.Contains("'ZED'", problems[1]);
        Assert.Contains("'cmd'", problems[2]);
    }

    private static (ServerSpec? Spec, IReadOnlyList<FieldError> Errors) Read(string json)
    {
        using var document = JsonDocument.Parse(json);
        return StartRequestReader.Read(document.RootElement) switch
        {
            StartRequestResult.Valid valid => (valid.Spec, []),
            StartRequestResult.Invalid invalid => (null, invalid.Errors),
            _ => throw new InvalidOperationException(),
        };
    }

    [Theory]
    [InlineData("""{"name": "."}""", "name")]
    [InlineData("""{"name": ".."}""", "name")]
    [InlineData("""{"name": "x", "user_options": {"start_id": "."}}""", "start_id")]
    [InlineData("""{"name": "x", "user_options": {"start_id": ".."}}""", "start_id")]
    public void Read_DotSegments_AreRefused(string body, string field)
    {
        var (spec, errors) = Read(body);
        Assert.Null(spec);
        Assert.Contains(errors, e => e.Loc.Contains(field));
    }

    [Theory]
    [InlineData("...")]
    [InlineData(".lab")]
    [InlineData("a..b")]
    public void Read_NamesWithDotsThatAreNotPathSteps_AreAccepted(string name)
    {
        var (spec, errors) = Read($$"""{"name": "{{name}}"}""");
        Assert.Empty(errors);
        Assert.Equal(name, spec!.Name);
    }

    private static ServerSpec Spec(string[]? env = null, string[]? misc = null) => new()
    {
        Name = "x",
        StartId = "0",
        Env = (env ?? []).ToDictionary(k => k, _ => "v"),
        Misc = (misc ?? []).ToDictionary(k => k, _ => JsonDocument.Parse("1").RootElement),
    };
}
