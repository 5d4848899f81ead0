using ObjectLog.Storage;

namespace ObjectLog.Tests.Storage;

public sealed class ObjectContentTypeTests
{
    [Theory]
    [InlineData("logs/batch_0001796187463744302-434bc3019a8d4a46-000000000001.c0a1b2c3d.jsonl", "application/jsonl")]
    [InlineData("batch_0001796187463744302.jsonl", "application/jsonl")]
    [InlineData("logs/batch_0001796187463744302~0001796187463744303~00000000000000ab.manifest.json", "application/json")]
    [InlineData("logs/trim_0001796187463744302-00000000000000ab.json", "application/json")]
    [InlineData("logs/notes.jsonl.txt", "application/octet-stream")]
    [InlineData("logs/readme", "application/octet-stream")]
    [InlineData("logs.jsonl/readme", "application/octet-stream")]
    public void The_type_follows_the_key_s_extension(string key, string expected)
        => Assert.Equal(expected, ObjectContentType.For(key));
}
