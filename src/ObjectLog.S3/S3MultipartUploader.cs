using Amazon.S3;
using Amazon.S3.Model;
using ObjectLog.Storage;

namespace ObjectLog.S3;

/// <summary>
/// Puts an object larger than one part as a multipart upload that holds one part in memory at a time
/// (<see cref="PartBuffer"/>) and is aborted if any step fails, so no partial object is ever visible. A create-only
/// upload sends <c>If-None-Match: *</c> on <c>CompleteMultipartUpload</c>, which Amazon S3 enforces and some servers
/// (Ceph RGW 16) ignore.
/// </summary>
/// <param name="client">The store's client.</param>
/// <param name="bucket">The store's bucket.</param>
/// <param name="useChunkEncoding">The store's <see cref="S3ObjectStoreOptions.UseChunkEncoding"/>, resolved.</param>
internal sealed class S3MultipartUploader(IAmazonS3 client, string bucket, bool? useChunkEncoding)
{
    /// <summary>Uploads what <paramref name="buffer"/> holds, then the rest of <paramref name="content"/>, part by part.</summary>
    public async Task UploadAsync(string key, Stream content, PartBuffer buffer, bool create, CancellationToken cancellationToken)
    {
        InitiateMultipartUploadResponse started = await client.InitiateMultipartUploadAsync(
            new InitiateMultipartUploadRequest { BucketName = bucket, Key = key, ContentType = ObjectContentType.For(key) }, cancellationToken).ConfigureAwait(false);
        string uploadId = started.UploadId;
        try
        {
            var parts = new List<PartETag>();
            while (true)
            {
                bool last = !buffer.HoldsMoreThanOnePart;
                int length = last ? buffer.Count : buffer.PartSize;
                int partNumber = parts.Count + 1;
                using (MemoryStream body = buffer.OpenRead(length))
                {
                    var request = new UploadPartRequest
                    {
                        BucketName = bucket,
                        Key = key,
                        UploadId = uploadId,
                        PartNumber = partNumber,
                        InputStream = body,
                        IsLastPart = last,
                    };
                    if (useChunkEncoding is { } chunked)
                    {
                        request.UseChunkEncoding = chunked;
                    }

                    UploadPartResponse uploaded = await client.UploadPartAsync(request, cancellationToken).ConfigureAwait(false);
                    parts.Add(new PartETag(partNumber, uploaded.ETag));
                }

                if (last)
                {
                    break;
                }

                buffer.Consume(length);
                await buffer.FillAsync(content, cancellationToken).ConfigureAwait(false);
            }

            await client.CompleteMultipartUploadAsync(
                new CompleteMultipartUploadRequest
                {
                    BucketName = bucket,
                    Key = key,
                    UploadId = uploadId,
                    PartETags = parts,
                    IfNoneMatch = create ? "*" : null,
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await AbortQuietlyAsync(key, uploadId).ConfigureAwait(false);
            throw;
        }
    }

    private async Task AbortQuietlyAsync(string key, string uploadId)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await client.AbortMultipartUploadAsync(
                new AbortMultipartUploadRequest { BucketName = bucket, Key = key, UploadId = uploadId }, timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (S3ErrorTranslator.IsSdkFailure(e, CancellationToken.None) || e is OperationCanceledException)
        {
            // The parts stay until a bucket lifecycle rule removes them; they are never visible as an object.
        }
    }
}
