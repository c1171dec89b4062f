using System.Net;
using System.Security.Cryptography;
using Polly;

namespace ConvMixerNet.Hub;

/// <summary>
/// Fetches one blob into <c>blobs/{etag}.incomplete</c>, resuming with <c>Range</c> from what is already there (after a
/// dropped connection, a stall, or a process that died), checks its size and, for large files, its sha256 against the
/// etag, and only then renames it to <c>blobs/{etag}</c>. Content that does not match is deleted. The caller holds the
/// blob's lock.
/// </summary>
internal sealed class BlobDownload(HubHttp http, ResiliencePipeline retries, TimeSpan stallTimeout)
{
    private const int BufferSize = 1 << 16;

    public async Task RunAsync(
        FileMetadata file, string repoId, string revision, string fileName, string blobPath, IProgress<HubDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var incomplete = blobPath + ".incomplete";
        Directory.CreateDirectory(Path.GetDirectoryName(blobPath)!);
        await retries.ExecuteAsync(
            async token => await AttemptAsync(file, repoId, revision, fileName, incomplete, progress, token).ConfigureAwait(false),
            cancellationToken).ConfigureAwait(false);

        if (HubNames.IsSha256(file.Etag))
        {
            string actual;
            using (var stream = new FileStream(incomplete, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan))
            {
                actual = Convert.ToHexString(await SHA256.HashDataAsync(stream, cancellationToken).ConfigureAwait(false)).ToLowerInvariant();
            }

            if (actual != file.Etag)
            {
                File.Delete(incomplete);
                throw new HubContentMismatchException(repoId, fileName,
                    $"The content of '{fileName}' downloaded from '{repoId}' did not match: its sha256 is {actual}, the hub announced {file.Etag}. The download was deleted; try again, and if it persists, the hub or a proxy serves wrong bytes.");
            }
        }

        File.Move(incomplete, blobPath, overwrite: true);
    }

    private async Task AttemptAsync(
        FileMetadata file, string repoId, string revision, string fileName, string incomplete, IProgress<HubDownloadProgress>? progress, CancellationToken cancellationToken)
    {
        var have = File.Exists(incomplete) ? new FileInfo(incomplete).Length : 0;
        if (have > file.Size)
        {
            have = 0; // not this file's beginning: start over
        }

        progress?.Report(new HubDownloadProgress(repoId, fileName, have, file.Size));
        if (have == file.Size)
        {
            await using var complete = new FileStream(incomplete, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read);
            complete.SetLength(have);
            return;
        }

        using var response = await http.GetAsync(file.Location, have, file.SendToken, repoId, revision, fileName, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable || (response.StatusCode == HttpStatusCode.PartialContent && response.Content.Headers.ContentRange?.From != have))
        {
            File.Delete(incomplete); // the server does not agree on what we have: fetch it whole next time
            throw new HubTransientException(repoId, $"the server would not resume '{fileName}' at byte {have}");
        }

        if (response.StatusCode != HttpStatusCode.PartialContent)
        {
            have = 0; // a whole file instead of the range asked for (the server ignored Range)
        }

        await using var output = new FileStream(incomplete, have > 0 ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.Read, BufferSize);
        var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[BufferSize];
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var written = have;
        while (true)
        {
            stall.CancelAfter(stallTimeout);
            int read;
            try
            {
                read = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw new HubTransientException(repoId, $"no data for '{fileName}' in {stallTimeout.TotalSeconds:0.#} s", e);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                throw new HubTransientException(repoId, $"the connection dropped while downloading '{fileName}' ({e.Message})", e);
            }

            if (read == 0)
            {
                break;
            }

            if (written + read > file.Size)
            {
                await output.DisposeAsync().ConfigureAwait(false);
                File.Delete(incomplete);
                throw new HubContentMismatchException(repoId, fileName,
                    $"The content of '{fileName}' downloaded from '{repoId}' did not match: the server sent more than the {file.Size} bytes it announced. The download was deleted.");
            }

            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            written += read;
            progress?.Report(new HubDownloadProgress(repoId, fileName, written, file.Size));
        }

        output.Flush(flushToDisk: true);
        if (written < file.Size)
        {
            throw new HubTransientException(repoId, $"the connection closed after {written} of {file.Size} bytes of '{fileName}'");
        }
    }
}
