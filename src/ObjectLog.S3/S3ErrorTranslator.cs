using System.Net;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using ObjectLog.Storage;

namespace ObjectLog.S3;

/// <summary>
/// Turns the SDK's and the network's failures into the store's own exceptions, at the backend's edge: 404 on an
/// object becomes <see cref="ObjectNotFoundException"/>, 412 <see cref="ObjectAlreadyExistsException"/>, a missing
/// bucket or refused credentials an <see cref="ObjectStoreException"/> naming the bucket and endpoint, and 5xx, 429,
/// throttling, timeouts and unreachable endpoints an <see cref="ObjectStoreException"/> with
/// <see cref="ObjectStoreException.IsTransient"/> set. Messages never carry credentials.
/// </summary>
/// <param name="client">The store's client: its settings name the attempt timeout in a message, and it asks whether an object whose body broke off still exists.</param>
/// <param name="bucket">The store's bucket, for messages.</param>
/// <param name="endpoint">Where the bucket is, for messages.</param>
internal sealed class S3ErrorTranslator(IAmazonS3 client, string bucket, string endpoint)
{
    /// <summary>Whether <paramref name="e"/> is a failure of the SDK or the network (as opposed to our own exception or the caller's cancellation).</summary>
    internal static bool IsSdkFailure(Exception e, CancellationToken cancellationToken) => e switch
    {
        ObjectStoreException => false,
        OperationCanceledException => !cancellationToken.IsCancellationRequested, // a timeout, not the caller
        AmazonServiceException or AmazonClientException or HttpRequestException or IOException or TimeoutException => true, // the SDK throws TimeoutException when an attempt outlives its Timeout
        _ => false,
    };

    internal static bool IsConditionalConflict(AmazonS3Exception e)
        => e.StatusCode == HttpStatusCode.Conflict && e.ErrorCode == "ConditionalRequestConflict";

    internal ObjectStoreException Translate(Exception e, string? key, string action, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        string target = key is null ? $"bucket '{bucket}'" : $"object '{key}' in bucket '{bucket}'";
        if (e is AmazonServiceException { StatusCode: not 0 } s && s.InnerException is not HttpRequestException)
        {
            string code = string.IsNullOrEmpty(s.ErrorCode) ? ((int)s.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture) : s.ErrorCode;
            int status = (int)s.StatusCode;
            switch (s.StatusCode, s.ErrorCode)
            {
                case (HttpStatusCode.NotFound, "NoSuchBucket"):
                    return new ObjectStoreException($"S3 bucket '{bucket}' does not exist at {endpoint}.", key, isTransient: false, e);
                case (HttpStatusCode.NotFound, _) when key is not null:
                    return new ObjectNotFoundException(key, e);
                case (HttpStatusCode.PreconditionFailed, _) when key is not null:
                    return new ObjectAlreadyExistsException(key, e);
                case (HttpStatusCode.Forbidden, _):
                case (_, "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "AccessDenied" or "ExpiredToken" or "InvalidToken"):
                    return new ObjectStoreException(
                        $"S3 refused {action} {target} at {endpoint} ({status} {code}): check the access key, secret and the bucket's permissions.",
                        key, isTransient: false, e);
                case (HttpStatusCode.Conflict, "ConditionalRequestConflict"):
                    return new ObjectStoreException($"S3 {action} {target} conflicted with a concurrent conditional write; retry.", key, isTransient: true, e);
            }

            bool transient = status >= 500 || status == 429 || status == 408
                || code is "SlowDown" or "RequestTimeout" or "Throttling" or "ThrottlingException" or "RequestTimeTooSkewed";
            return new ObjectStoreException($"S3 failed {action} {target} at {endpoint} ({status} {code}): {s.Message}", key, transient, e);
        }

        if (IsMissingCredentials(e))
        {
            return new ObjectStoreException(
                $"S3 {action} {target} at {endpoint} failed: no AWS credentials found (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a profile).",
                key, isTransient: false, e);
        }

        if (e is TimeoutException or OperationCanceledException)
        {
            // The base exception says only "Operation canceled": an endpoint that accepts connections and never
            // answers (a hung server, a proxy or firewall that drops replies) needs saying in those words.
            string within = client.Config.Timeout is { } t ? $" within {t.TotalSeconds:0.#} s an attempt" : "";
            return new ObjectStoreException($"S3 endpoint {endpoint} did not answer{within} while {action} {target}: it accepts connections but sends no reply.", key, isTransient: true, e);
        }

        return new ObjectStoreException($"S3 endpoint {endpoint} could not be reached while {action} {target}: {e.GetBaseException().Message}", key, isTransient: true, e);
    }

    /// <summary>A body that broke off: NotFound if the object is gone now (deleted while it streamed), else a transient failure.</summary>
    internal async Task<Exception> TranslateBodyFailureAsync(Exception e, string key, CancellationToken cancellationToken)
    {
        try
        {
            await client.GetObjectMetadataAsync(bucket, key, cancellationToken).ConfigureAwait(false);
        }
        catch (AmazonS3Exception head) when (head.StatusCode == HttpStatusCode.NotFound)
        {
            return new ObjectNotFoundException(key, e);
        }
        catch (Exception head) when (IsSdkFailure(head, cancellationToken))
        {
            // Cannot tell; report the body's own failure.
        }

        return new ObjectStoreException($"S3 failed reading the body of object '{key}' in bucket '{bucket}' at {endpoint}: {e.Message}", key, isTransient: true, e);
    }

    /// <summary>A key a <c>DeleteObjects</c> response reports as an error, translated as <see cref="Translate"/> does a whole request.</summary>
    internal ObjectStoreException TranslateDeleteError(string key, DeleteError error)
    {
        string code = string.IsNullOrEmpty(error.Code) ? "unknown error" : error.Code;
        string target = $"object '{key}' in bucket '{bucket}' at {endpoint}";
        if (code is "AccessDenied" or "InvalidAccessKeyId" or "SignatureDoesNotMatch" or "ExpiredToken" or "InvalidToken")
        {
            return new ObjectStoreException($"S3 refused deleting {target} ({code}): check the access key, secret and the bucket's permissions.", key, isTransient: false);
        }

        bool transient = code is "InternalError" or "ServiceUnavailable" or "SlowDown" or "RequestTimeout" or "Throttling" or "ThrottlingException";
        return new ObjectStoreException($"S3 failed deleting {target} ({code}): {error.Message}", key, transient);
    }

    /// <summary>
    /// Whether the SDK gave up before sending anything because its credential chain found nothing. AWSSDK.Core has
    /// no exception type of its own for this, only an <see cref="AmazonClientException"/> whose message says so
    /// ("Failed to resolve AWS credentials…", "Credentials must be set…"); without this test it would read as an
    /// unreachable endpoint, which sends the user looking in the wrong place.
    /// </summary>
    internal static bool IsMissingCredentials(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            if (x is AmazonClientException
                && (x.Message.Contains("resolve AWS credentials", StringComparison.OrdinalIgnoreCase)
                    || x.Message.Contains("Credentials must be set", StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }
}
