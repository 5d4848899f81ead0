using System.Net;
using Amazon.S3;
using Amazon.S3.Model;
using ObjectLog.Storage;

namespace ObjectLog.S3;

/// <summary>
/// <see cref="IObjectStore.DeleteManyAsync"/> on S3: one <c>DeleteObjects</c> request per 1,000 keys (S3's limit), up
/// to 4 in flight. Each key's outcome is read from the response: a key S3 reports as an error is a failure with S3's
/// code and message, and so is a key the response does not mention. A request that fails as a whole fails each of its
/// keys with the translated error, except <c>501 Not Implemented</c> (a server without <c>DeleteObjects</c>): then its
/// keys are deleted one by one.
/// </summary>
/// <param name="client">The store's client.</param>
/// <param name="bucket">The store's bucket.</param>
/// <param name="endpoint">Where the bucket is, for messages.</param>
/// <param name="errors">The store's error translation.</param>
/// <param name="store">The store, whose single delete serves a server without <c>DeleteObjects</c>.</param>
internal sealed class S3BulkDelete(IAmazonS3 client, string bucket, string endpoint, S3ErrorTranslator errors, IObjectStore store)
{
    /// <summary>The most keys one <c>DeleteObjects</c> request takes.</summary>
    public const int MaxKeysPerRequest = 1000;

    private const int MaxRequestsInFlight = 4;

    /// <summary>Deletes <paramref name="keys"/>, as <see cref="IObjectStore.DeleteManyAsync"/> says.</summary>
    public Task DeleteManyAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
        => BulkDelete.DeleteInBatchesAsync(keys, MaxKeysPerRequest, MaxRequestsInFlight, DeleteBatchAsync, cancellationToken);

    private async Task DeleteBatchAsync(IReadOnlyList<string> keys, BulkDeleteOutcome outcome, CancellationToken cancellationToken)
    {
        var request = new DeleteObjectsRequest
        {
            BucketName = bucket,
            Objects = keys.Select(k => new KeyVersion { Key = k }).ToList(),
            Quiet = false, // quiet mode lists only errors, so a key the server skipped would pass for deleted
        };
        DeleteObjectsResponse response;
        try
        {
            response = await client.DeleteObjectsAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (DeleteObjectsException e) when (e.Response is not null)
        {
            response = e.Response; // the SDK throws when any key failed; the response still says which
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotImplemented)
        {
            // A compatible server without DeleteObjects (some have none): one DeleteObject a key still deletes them.
            await BulkDelete.DeleteEachAsync(store, keys, BulkDelete.DefaultConcurrency, outcome, cancellationToken).ConfigureAwait(false);
            return;
        }
        catch (Exception e) when (S3ErrorTranslator.IsSdkFailure(e, cancellationToken))
        {
            ObjectStoreException error = errors.Translate(e, key: null, $"deleting {keys.Count} objects from", cancellationToken);
            foreach (string key in keys)
            {
                outcome.MarkFailed(key, error);
            }

            return;
        }

        var unreported = new HashSet<string>(keys, StringComparer.Ordinal);
        foreach (DeletedObject deleted in response.DeletedObjects ?? [])
        {
            if (deleted.Key is { } key && unreported.Remove(key))
            {
                outcome.MarkDeleted(key);
            }
        }

        foreach (DeleteError error in response.DeleteErrors ?? [])
        {
            if (error.Key is not { } key || !unreported.Remove(key))
            {
                continue;
            }

            if (error.Code == "NoSuchKey")
            {
                outcome.MarkDeleted(key); // already gone, as DeleteAsync treats it
            }
            else
            {
                outcome.MarkFailed(key, errors.TranslateDeleteError(key, error));
            }
        }

        foreach (string key in unreported)
        {
            outcome.MarkFailed(key, new ObjectStoreException(
                $"S3 did not report deleting object '{key}' in bucket '{bucket}' at {endpoint}: its DeleteObjects response names neither a deletion nor an error for it.",
                key, isTransient: true));
        }
    }
}
