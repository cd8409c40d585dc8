using Outpost.Backends.Kubernetes.Profiles;

namespace Outpost.Tests.Backends.Kubernetes.Profiles;

public sealed class ProfileListViewTests
{
    [Fact]
    public void Render_ForAHub_ShowsWhatAFormNeedsAndNoOverrides()
    {
        var visible = ProfileSelection.VisibleTo(ProfileListBuildTests.Options().ProfileList, "hub-a").ToList();

        ProfileListBuildTests.AssertJson("""
            {"profile_list": [
              {"slug": "small", "display_name": "Small", "description": "1 core", "default": false, "profile_options": {}},
              {"slug": "gpu", "display_name": "GPU", "description": "", "default": true, "profile_options": {
                "image": {"display_name": "Image",
                  "choices": {"pytorch": {"display_name": "PyTorch", "default": true}, "tf": {"display_name": "TensorFlow", "default": false}},
                  "unlisted_choice": {"enabled": true, "display_name": "Other image", "validation_regex": "^nb:[a-z0-9.-]+$",
                                      "validation_message": "Must be an nb:<tag> image"}},
                "size": {"display_name": "GPUs",
                  "choices": {"one": {"display_name": "1 GPU", "default": true}, "two": {"display_name": "2 GPUs", "default": false}},
                  "unlisted_choice": {"enabled": true, "display_name": "Other", "validation_regex": "[a-z0-9]+", "validation_message": ""}}}}
            ]}
            """, ProfileListView.Render(visible));
    }

    [Fact]
    public void Render_ForAHubWithoutTheDefault_MarksTheFirstVisible()
    {
        var visible = ProfileSelection.VisibleTo(ProfileListBuildTests.Options().ProfileList, "hub-b").ToList();

        ProfileListBuildTests.AssertJson("""
            {"profile_list": [{"slug": "small", "display_name": "Small", "description": "1 core", "default": true, "profile_options": {}}]}
            """, ProfileListView.Render(visible));
    }
}
