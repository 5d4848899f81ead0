using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using ObjectLog.Storage;

namespace ObjectLog.S3;

/// <summary>
/// The server's clock, the one that stamps objects: the <c>Date</c> header of a one-key listing of a prefix no log
/// uses (one LIST request), to the second. A client that is not the SDK's own (a test double) has no headers to read:
/// this machine's clock.
/// </summary>
/// <param name="client">The store's client.</param>
/// <param name="bucket">The store's bucket.</param>
/// <param name="endpoint">Where the bucket is, for messages.</param>
/// <param name="errors">The store's error translation.</param>
internal sealed class S3ServerClock(IAmazonS3 client, string bucket, string endpoint, S3ErrorTranslator errors)
{
    /// <summary>The server's time now, as <see cref="IObjectStore.GetTimeAsync"/> says.</summary>
    public async ValueTask<DateTimeOffset> ReadAsync(CancellationToken cancellationToken = default)
    {
        if (client is not AmazonServiceClient service)
        {
            return DateTimeOffset.UtcNow;
        }

        var request = new ListObjectsV2Request { BucketName = bucket, Prefix = ".objectlog-clock/", MaxKeys = 1 };
        string? date = null;
        void OnResponse(object sender, ResponseEventArgs e)
        {
            if (e is WebServiceResponseEventArgs answer && ReferenceEquals(answer.Request, request)
                && answer.ResponseHeaders is { } headers && (headers.TryGetValue("Date", out string? d) || headers.TryGetValue("date", out d)))
            {
                date = d;
            }
        }

        service.AfterResponseEvent += OnResponse;
        try
        {
            await client.ListObjectsV2Async(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (S3ErrorTranslator.IsSdkFailure(e, cancellationToken))
        {
            throw errors.Translate(e, key: null, "reading the clock of", cancellationToken);
        }
        finally
        {
            service.AfterResponseEvent -= OnResponse;
        }

        return date is not null && DateTimeOffset.TryParseExact(date, "r", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out DateTimeOffset time)
            ? time
            : throw new ObjectStoreException($"Reading the clock of bucket '{bucket}' at {endpoint} failed: its answer has no Date header ('{date}').", key: null, isTransient: false);
    }
}
