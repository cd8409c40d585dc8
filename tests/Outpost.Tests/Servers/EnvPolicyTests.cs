using Outpost.Hubs;
using Outpost.Servers;

namespace Outpost.Tests.Servers;

public sealed class EnvPolicyTests
{
    [Theory]
    [InlineData("PATH")]
    [InlineData("path")]
    [InlineData("HOME")]
    [InlineData("SHELL")]
    [InlineData("IFS")]
    [InlineData("TMPDIR")]
    [InlineData("SSL_CERT_FILE")]
    [InlineData("LD_PRELOAD")]
    [InlineData("LD_LIBRARY_PATH")]
    [InlineData("ld_preload")]
    [InlineData("PYTHONPATH")]
    [InlineData("PYTHONSTARTUP")]
    [InlineData("DYLD_INSERT_LIBRARIES")]
    [InlineData("PERL5OPT")]
    [InlineData("NODE_OPTIONS")]
    [InlineData("BASH_ENV")]
    [InlineData("JAVA_TOOL_OPTIONS")]
    [InlineData("GCONV_PATH")]
    [InlineData("MALLOC_CHECK_")]
    public void IsForbidden_LoaderOrShellKey_IsTrue(string key) => Assert.True(EnvPolicy.IsForbidden(key));

    [Theory]
    [InlineData("JUPYTERHUB_API_TOKEN")]
    [InlineData("JUPYTER_IMAGE")]
    [InlineData("MY_VAR")]
    [InlineData("PATHS_EXTRA")]
    public void IsForbidden_OrdinaryKey_IsFalse(string key) => Assert.False(EnvPolicy.IsForbidden(key));

    [Theory]
    [InlineData("JUPYTERHUB_USER", null, true)]
    [InlineData("JUPYTER_IMAGE", null, true)]
    [InlineData("jupyterhub_user", null, false)]
    [InlineData("JUPYTERHUB", null, false)]
    [InlineData("MY_VAR", null, false)]
    [InlineData("MY_VAR", "MY_VAR", true)]
    [InlineData("MY_VAR", "my_var", false)]
    [InlineData("PATH", "PATH", false)]
    [InlineData("LD_PRELOAD", "LD_PRELOAD", false)]
    [InlineData("PYTHONPATH", "PYTHONPATH", false)]
    public void IsAllowed_Key_FollowsPrefixesAllowListAndForbiddenList(string key, string? allowed, bool expected)
    {
        var hub = allowed is null ? null : new HubOptions { AllowedEnv = [allowed] };

        Assert.Equal(expected, EnvPolicy.IsAllowed(key, hub));
    }
}
