using ObjectLog.Storage;

namespace ObjectLog.Tests.Conformance;

/// <summary>
/// Conditional updates (<see cref="PutMode.Update"/>): a store that reports <see cref="IObjectStore.SupportsConditionalUpdate"/>
/// must replace an object only while it is at the version the writer read, so of racing writers exactly one wins; a
/// store that does not must refuse every versioned call rather than write unsafely.
/// </summary>
public abstract partial class ObjectStoreConformanceTests
{
    /// <summary>Whether this store is meant to support conditional updates: a store reporting otherwise fails, it is not skipped.</summary>
    protected virtual bool ConditionalUpdateExpected => true;

    [Fact]
    public void The_store_reports_conditional_update_support_as_expected()
        => Assert.Equal(ConditionalUpdateExpected, Store.SupportsConditionalUpdate);

    [Fact]
    public async Task A_stream_put_refuses_the_update_mode_which_names_no_version()
    {
        var e = await Assert.ThrowsAsync<ArgumentException>(() => Store.PutAsync(K("stream-update"), new MemoryStream(Bytes("x")), PutMode.Update));
        Assert.Equal("mode", e.ParamName);
        Assert.Empty(await Store.ListSortedAsync(K("stream-update")));
    }

    [SkippableFact]
    public async Task Without_conditional_updates_every_versioned_call_is_refused()
    {
        Skip.If(ConditionalUpdateExpected, "the store supports conditional updates");
        await Store.PutAsync(K("plain"), Bytes("v1"));
        await Assert.ThrowsAsync<NotSupportedException>(() => Store.GetVersionedAsync(K("plain")));
        await Assert.ThrowsAsync<NotSupportedException>(() => Store.PutVersionedAsync(K("plain"), Bytes("v2"), PutMode.Update, "\"any\""));
        await Assert.ThrowsAsync<NotSupportedException>(() => Store.PutVersionedAsync(K("new"), Bytes("v1"), PutMode.Create, null));
        await Assert.ThrowsAsync<NotSupportedException>(() => Store.PutVersionedAsync(K("plain"), Bytes("v2"), PutMode.Overwrite, null));
        Assert.Equal(Bytes("v1"), await Store.GetBytesAsync(K("plain")));
        Assert.Equal([K("plain")], (await Store.ListSortedAsync(Root)).Select(m => m.Key));
    }

    [SkippableFact]
    public async Task A_created_object_has_one_version_in_the_put_the_read_and_the_listing()
    {
        SkipUnlessConditionalUpdate();
        string version = await Store.PutVersionedAsync(K("v"), Bytes("first"), PutMode.Create, null);
        Assert.False(string.IsNullOrEmpty(version));

        VersionedObject read = await Store.GetVersionedAsync(K("v"));
        Assert.Equal(K("v"), read.Key);
        Assert.Equal(Bytes("first"), read.Content.ToArray());
        Assert.Equal(version, read.Version);
        ObjectMeta listed = Assert.Single(await Store.ListSortedAsync(K("v")));
        Assert.Equal(version, listed.Version);
        Assert.InRange(read.LastModified, listed.LastModified - TimeSpan.FromSeconds(1), listed.LastModified + TimeSpan.FromSeconds(1));
    }

    [SkippableFact]
    public async Task An_update_at_the_current_version_replaces_the_object_and_gives_a_new_version()
    {
        SkipUnlessConditionalUpdate();
        string first = await Store.PutVersionedAsync(K("u"), Bytes("one"), PutMode.Create, null);
        string second = await Store.PutVersionedAsync(K("u"), Bytes("two"), PutMode.Update, first);
        Assert.NotEqual(first, second);

        VersionedObject read = await Store.GetVersionedAsync(K("u"));
        Assert.Equal(Bytes("two"), read.Content.ToArray());
        Assert.Equal(second, read.Version);
        Assert.Equal(second, Assert.Single(await Store.ListSortedAsync(K("u"))).Version);

        // Versions come from listings and reads as well as puts: an update may name any of them.
        string third = await Store.PutVersionedAsync(K("u"), Bytes("three"), PutMode.Update, read.Version);
        Assert.Equal(Bytes("three"), await Store.GetBytesAsync(K("u")));
        Assert.Equal(third, (await Store.GetVersionedAsync(K("u"))).Version);
    }

    [SkippableFact]
    public async Task Rewriting_the_same_bytes_in_quick_succession_gives_a_new_version_every_time()
    {
        // The folder store's version is a file time and a length: two writes of one length within a tick of a
        // coarse file clock must still differ, or an update from the older version would pass.
        SkipUnlessConditionalUpdate();
        Skip.If(ContentAddressedVersions, ContentAddressedReason);
        var versions = new List<string> { await Store.PutVersionedAsync(K("same"), Bytes("constant"), PutMode.Create, null) };
        for (int i = 0; i < 5; i++)
        {
            versions.Add(await Store.PutVersionedAsync(K("same"), Bytes("constant"), PutMode.Update, versions[^1]));
        }

        Assert.Equal(versions.Count, versions.Distinct(StringComparer.Ordinal).Count());
        var e = await Assert.ThrowsAsync<ObjectChangedException>(() => Store.PutVersionedAsync(K("same"), Bytes("constant"), PutMode.Update, versions[^2]));
        Assert.Equal(versions[^2], e.ExpectedVersion);
    }

    [SkippableFact]
    public async Task An_update_at_a_stale_version_throws_ObjectChanged_and_changes_nothing()
    {
        SkipUnlessConditionalUpdate();
        string first = await Store.PutVersionedAsync(K("s"), Bytes("one"), PutMode.Create, null);
        string second = await Store.PutVersionedAsync(K("s"), Bytes("two"), PutMode.Update, first);

        var e = await Assert.ThrowsAsync<ObjectChangedException>(() => Store.PutVersionedAsync(K("s"), Bytes("late"), PutMode.Update, first));
        Assert.Equal(K("s"), e.Key);
        Assert.Equal(first, e.ExpectedVersion);
        Assert.False(e.IsTransient);
        VersionedObject read = await Store.GetVersionedAsync(K("s"));
        Assert.Equal(Bytes("two"), read.Content.ToArray());
        Assert.Equal(second, read.Version);
    }

    [SkippableFact]
    public async Task An_overwrite_after_the_read_makes_the_read_version_stale()
    {
        SkipUnlessConditionalUpdate();
        await Store.PutAsync(K("o"), Bytes("one"));
        VersionedObject read = await Store.GetVersionedAsync(K("o"));
        string overwritten = await Store.PutVersionedAsync(K("o"), Bytes("two!"), PutMode.Overwrite, null);
        Assert.NotEqual(read.Version, overwritten);
        await Assert.ThrowsAsync<ObjectChangedException>(() => Store.PutVersionedAsync(K("o"), Bytes("three"), PutMode.Update, read.Version));
        Assert.Equal(Bytes("two!"), await Store.GetBytesAsync(K("o")));
    }

    [SkippableFact]
    public async Task An_update_of_a_deleted_object_throws_ObjectChanged_and_does_not_bring_it_back()
    {
        SkipUnlessConditionalUpdate();
        string version = await Store.PutVersionedAsync(K("d"), Bytes("one"), PutMode.Create, null);
        await Store.DeleteAsync(K("d"));
        await Assert.ThrowsAsync<ObjectChangedException>(() => Store.PutVersionedAsync(K("d"), Bytes("two"), PutMode.Update, version));
        Assert.Empty(await Store.ListSortedAsync(K("d")));
        await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.GetVersionedAsync(K("d")));
    }

    [SkippableFact]
    public async Task An_object_deleted_and_created_again_with_the_same_bytes_does_not_take_its_old_version()
    {
        SkipUnlessConditionalUpdate();
        Skip.If(ContentAddressedVersions, ContentAddressedReason);
        string old = await Store.PutVersionedAsync(K("again"), Bytes("same"), PutMode.Create, null);
        await Store.DeleteAsync(K("again"));
        string recreated = await Store.PutVersionedAsync(K("again"), Bytes("same"), PutMode.Create, null);
        Assert.NotEqual(old, recreated);
        await Assert.ThrowsAsync<ObjectChangedException>(() => Store.PutVersionedAsync(K("again"), Bytes("other"), PutMode.Update, old));
    }

    [SkippableFact]
    public async Task A_versioned_create_of_a_taken_key_throws_AlreadyExists_and_keeps_the_original()
    {
        SkipUnlessConditionalUpdate();
        string version = await Store.PutVersionedAsync(K("c"), Bytes("original"), PutMode.Create, null);
        await Assert.ThrowsAsync<ObjectAlreadyExistsException>(() => Store.PutVersionedAsync(K("c"), Bytes("intruder"), PutMode.Create, null));
        VersionedObject read = await Store.GetVersionedAsync(K("c"));
        Assert.Equal(Bytes("original"), read.Content.ToArray());
        Assert.Equal(version, read.Version);
    }

    [SkippableFact]
    public async Task Of_eight_racing_updates_from_one_version_exactly_one_wins()
    {
        SkipUnlessConditionalUpdate();
        string start = await Store.PutVersionedAsync(K("race"), Bytes("start"), PutMode.Create, null);
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<string?>[] racers = Enumerable.Range(0, 8).Select(async i =>
        {
            await go.Task;
            try
            {
                return await Store.PutVersionedAsync(K("race"), Bytes($"writer-{i}"), PutMode.Update, start);
            }
            catch (ObjectChangedException)
            {
                return null;
            }
        }).ToArray();
        go.SetResult();
        string?[] outcomes = await Task.WhenAll(racers);

        int winner = Assert.Single(Enumerable.Range(0, outcomes.Length), i => outcomes[i] is not null);
        VersionedObject read = await Store.GetVersionedAsync(K("race"));
        Assert.Equal(Bytes($"writer-{winner}"), read.Content.ToArray());
        Assert.Equal(outcomes[winner], read.Version);
    }

    [SkippableFact]
    public async Task Of_racing_creates_and_updates_of_a_free_key_exactly_one_create_wins_and_every_update_fails()
    {
        SkipUnlessConditionalUpdate();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task<string>[] racers = Enumerable.Range(0, 8).Select(async i =>
        {
            await go.Task;
            try
            {
                return i % 2 == 0
                    ? "created:" + await Store.PutVersionedAsync(K("free"), Bytes($"creator-{i}"), PutMode.Create, null)
                    : "updated:" + await Store.PutVersionedAsync(K("free"), Bytes($"updater-{i}"), PutMode.Update, "\"not-a-version-of-this-store\"");
            }
            catch (ObjectAlreadyExistsException)
            {
                return "exists";
            }
            catch (ObjectChangedException)
            {
                return "changed";
            }
        }).ToArray();
        go.SetResult();
        string[] outcomes = await Task.WhenAll(racers);

        int winner = Assert.Single(Enumerable.Range(0, outcomes.Length), i => outcomes[i].StartsWith("created:", StringComparison.Ordinal));
        Assert.Equal(3, outcomes.Count(o => o == "exists"));
        Assert.Equal(4, outcomes.Count(o => o == "changed"));
        VersionedObject read = await Store.GetVersionedAsync(K("free"));
        Assert.Equal(Bytes($"creator-{winner}"), read.Content.ToArray());
        Assert.Equal(outcomes[winner]["created:".Length..], read.Version);
    }

    [SkippableFact]
    public async Task Versioned_puts_refuse_a_missing_version_for_an_update_and_one_given_for_another_mode()
    {
        SkipUnlessConditionalUpdate();
        string version = await Store.PutVersionedAsync(K("args"), Bytes("one"), PutMode.Create, null);
        Assert.Equal("version", (await Assert.ThrowsAsync<ArgumentException>(() => Store.PutVersionedAsync(K("args"), Bytes("two"), PutMode.Update, null))).ParamName);
        Assert.Equal("version", (await Assert.ThrowsAsync<ArgumentException>(() => Store.PutVersionedAsync(K("args"), Bytes("two"), PutMode.Update, ""))).ParamName);
        Assert.Equal("version", (await Assert.ThrowsAsync<ArgumentException>(() => Store.PutVersionedAsync(K("args2"), Bytes("two"), PutMode.Create, version))).ParamName);
        Assert.Equal("version", (await Assert.ThrowsAsync<ArgumentException>(() => Store.PutVersionedAsync(K("args"), Bytes("two"), PutMode.Overwrite, version))).ParamName);
        Assert.Equal(Bytes("one"), await Store.GetBytesAsync(K("args")));
        Assert.Equal([K("args")], (await Store.ListSortedAsync(K("args"))).Select(m => m.Key));
    }

    [SkippableFact]
    public async Task A_versioned_read_of_a_missing_key_throws_NotFound()
    {
        SkipUnlessConditionalUpdate();
        var e = await Assert.ThrowsAsync<ObjectNotFoundException>(() => Store.GetVersionedAsync(K("missing")));
        Assert.Equal(K("missing"), e.Key);
    }

    /// <summary>
    /// Whether the store's versions are a function of the bytes alone (S3's ETag of a single PUT is their MD5): the
    /// same bytes written again get the same version, so what is updated conditionally must change on every write.
    /// </summary>
    protected virtual bool ContentAddressedVersions => false;

    private const string ContentAddressedReason = "the store's versions name the content (an S3 ETag is the MD5 of the bytes): the same bytes written again have the same version";

    [SkippableFact]
    public async Task Where_versions_name_the_content_writing_the_same_bytes_again_gives_the_same_version()
    {
        // What ContentAddressedVersions claims, so the claim cannot hide a store that repeats versions otherwise.
        SkipUnlessConditionalUpdate();
        Skip.IfNot(ContentAddressedVersions, "the store's versions do not name the content");
        string first = await Store.PutVersionedAsync(K("md5"), Bytes("constant"), PutMode.Create, null);
        string second = await Store.PutVersionedAsync(K("md5"), Bytes("constant"), PutMode.Update, first);
        string third = await Store.PutVersionedAsync(K("md5"), Bytes("different"), PutMode.Update, second);
        Assert.Equal(first, second);
        Assert.NotEqual(second, third);
    }

    private void SkipUnlessConditionalUpdate()
        => Skip.IfNot(Store.SupportsConditionalUpdate && ConditionalUpdateExpected, "the store does not support conditional updates (checked by The_store_reports_conditional_update_support_as_expected)");
}
