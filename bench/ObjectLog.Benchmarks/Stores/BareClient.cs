using Amazon.S3;
using Amazon.S3.Model;
using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using ObjectLog.Storage;

namespace ObjectLog.Benchmarks.Stores;

/// <summary>
/// The floor ObjectLog is measured against: the SDK called directly, with the same request settings the ObjectLog
/// store uses (create-only PUTs, no chunk encoding over http). Thread-safe, so a caller may keep several requests in flight.
/// </summary>
internal abstract class BareClient
{
    public abstract Task PutAsync(string key, byte[] body);

    public abstract Task<List<string>> ListAsync(string prefix);

    public abstract Task<byte[]> GetAsync(string key);

    public sealed class S3(IAmazonS3 client, string bucket) : BareClient
    {
        public override async Task PutAsync(string key, byte[] body)
        {
            using var stream = new MemoryStream(body, writable: false);
            await client.PutObjectAsync(new PutObjectRequest { BucketName = bucket, Key = key, InputStream = stream, IfNoneMatch = "*", UseChunkEncoding = false });
        }

        public override async Task<List<string>> ListAsync(string prefix)
        {
            var keys = new List<string>();
            var request = new ListObjectsV2Request { BucketName = bucket, Prefix = prefix };
            ListObjectsV2Response page;
            do
            {
                page = await client.ListObjectsV2Async(request);
                keys.AddRange((page.S3Objects ?? []).Select(o => o.Key));
                request.ContinuationToken = page.NextContinuationToken;
            }
            while (page.IsTruncated == true);
            return keys;
        }

        public override async Task<byte[]> GetAsync(string key)
        {
            using GetObjectResponse response = await client.GetObjectAsync(bucket, key);
            using var buffer = new MemoryStream();
            await response.ResponseStream.CopyToAsync(buffer);
            return buffer.ToArray();
        }
    }

    /// <summary>A store's own put loop: for the filesystem, where there is no SDK, the floor is the store itself.</summary>
    public sealed class Store(IObjectStore store) : BareClient
    {
        public override Task PutAsync(string key, byte[] body) => store.PutAsync(key, body, PutMode.Create);

        public override async Task<List<string>> ListAsync(string prefix) => (await store.ListSortedAsync(prefix)).Select(m => m.Key).ToList();

        public override Task<byte[]> GetAsync(string key) => store.GetBytesAsync(key);
    }

    public sealed class Azure(BlobContainerClient container) : BareClient
    {
        public override async Task PutAsync(string key, byte[] body)
            => await container.GetBlobClient(key).UploadAsync(new BinaryData(body), new BlobUploadOptions { Conditions = new BlobRequestConditions { IfNoneMatch = ETag.All } });

        public override async Task<List<string>> ListAsync(string prefix)
        {
            var keys = new List<string>();
            await foreach (BlobItem item in container.GetBlobsAsync(new GetBlobsOptions { Prefix = prefix }))
            {
                keys.Add(item.Name);
            }

            return keys;
        }

        public override async Task<byte[]> GetAsync(string key)
            => (await container.GetBlobClient(key).DownloadContentAsync()).Value.Content.ToArray();
    }
}
