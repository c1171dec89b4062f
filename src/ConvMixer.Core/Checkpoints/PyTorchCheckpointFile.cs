using System.Collections;
using System.IO.Compression;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace ConvMixerNet.Core;

/// <summary>
/// <c>torch.save</c>'s zip format, read with PyBridge (whose unpickler, Razorvine.Pickle, never runs Python code: an
/// unknown global becomes an inert placeholder object, and calling one fails). The zip structure is checked first.
/// </summary>
internal static partial class PyTorchCheckpointFile
{
    // The pickle is decompressed whole by the unpickler; a state dict's is kilobytes (tensor data lives in other entries).
    private const long MaxPickleBytes = 64L * 1024 * 1024;

    private static readonly string[] WrapperKeys = ["state_dict", "model", "state_dict_ema"];
    private static readonly string[] WrapperKeysEmaFirst = ["state_dict_ema", "state_dict", "model"];

    public static Dictionary<string, Tensor> Read(string path, Stream stream, bool preferEma)
    {
        ValidateArchive(path, stream);
        stream.Position = 0;

        Hashtable root;
        using (var scope = NewDisposeScope())
        {
            try
            {
                // Descriptors only: sizes are checked and unwanted tensors skipped before anything is decompressed.
                root = PyTorchUnpickler.UnpickleStateDict(stream, leaveOpen: true, skipTensorRead: true);
            }
            catch (Razorvine.Pickle.PickleException e)
            {
                // Razorvine reports a call to an unregistered global as "... ClassDict (for module.name) ...".
                throw new InvalidCheckpointException(path,
                    CalleeName().Match(e.Message) is { Success: true } m
                        ? $"its pickle asks to call {m.Groups[1].Value}, which a state dict never needs; it was refused and nothing was executed."
                        : $"its pickle cannot be read ({e.Message}).",
                    e);
            }
            catch (NotImplementedException e) when (e.Message.Contains("entire model", StringComparison.Ordinal))
            {
                throw new InvalidCheckpointException(path,
                    "it holds a whole pickled model (torch.save(model)), not a state dict; re-save it in Python with torch.save(model.state_dict(), path).", e);
            }
            catch (System.Runtime.InteropServices.ExternalException e)
            {
                // libtorch refuses allocations it cannot make; a claimed size it can reserve fails at the end of the stored bytes.
                throw new InvalidCheckpointException(path,
                    $"a tensor it describes cannot be created, so the file is corrupt or was edited (libtorch: {e.Message.Split('\n')[0]}).", e);
            }
            catch (InvalidCastException e)
            {
                throw new InvalidCheckpointException(path, "its pickle does not hold a dict (a state dict or a dict wrapping one).", e);
            }

            var descriptors = SelectStateDict(path, root, preferEma);
            try
            {
                var stateDict = ReadWanted(path, stream, descriptors);
                foreach (var tensor in stateDict.Values)
                {
                    tensor.MoveToOuterDisposeScope();
                }

                return stateDict;
            }
            catch (System.Runtime.InteropServices.ExternalException e)
            {
                throw new InvalidCheckpointException(path,
                    $"a tensor it describes cannot be created, so the file is corrupt or was edited (libtorch: {e.Message.Split('\n')[0]}).", e);
            }
            finally
            {
                foreach (var descriptor in descriptors.Values)
                {
                    descriptor.Skip();
                }
            }
        }
    }

    // Every declared size must fit its stored entry, and what is read must fit in memory; tensors whose keys no
    // ConvMixer has (anything a strict load would call unexpected) are listed with their dtype but never decompressed.
    private static Dictionary<string, Tensor> ReadWanted(string path, Stream stream, Dictionary<string, PickledTensor> descriptors)
    {
        long[] entryLengths;
        using (var archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true))
        {
            entryLengths = [.. archive.Entries.Select(e => e.Length)];
        }

        var wanted = StateDictKeys.WantedByAConvMixer(descriptors.Keys);
        long total = 0;
        foreach (var (key, descriptor) in descriptors)
        {
            var stored = descriptor.ArchiveIndex >= 0 && descriptor.ArchiveIndex < entryLengths.Length ? entryLengths[descriptor.ArchiveIndex] : -1;
            if (descriptor.BytesNeeded is not { } needed || needed > stored)
            {
                throw new InvalidCheckpointException(path,
                    $"tensor '{key}' of shape {CheckpointArchitecture.Format(descriptor.Shape)} ({descriptor.DType}) needs {(descriptor.BytesNeeded is { } n ? $"{n} bytes" : "more bytes than can be counted")}, but its stored data holds {Math.Max(stored, 0)}.");
            }

            total += wanted.Contains(key) ? needed : 0;
        }

        var available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (available > 0 && total > available)
        {
            throw new InvalidCheckpointException(path, $"its tensors need {total} bytes, more than the {available} bytes of memory this machine has.");
        }

        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (key, descriptor) in descriptors)
        {
            tensors[key] = wanted.Contains(key) ? descriptor.Read() : empty([0], descriptor.DType);
        }

        return tensors;
    }

    private static void ValidateArchive(string path, Stream stream)
    {
        using var archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        var pickles = archive.Entries.Where(e => e.FullName.EndsWith("data.pkl", StringComparison.Ordinal)).ToList();
        if (pickles.Count != 1)
        {
            throw new InvalidCheckpointException(path,
                pickles.Count == 0
                    ? $"it is a zip file but not a PyTorch checkpoint (no data.pkl among its {archive.Entries.Count} entries)."
                    : "it is a zip file with several data.pkl entries, which torch.save never writes.");
        }

        if (pickles[0].Length > MaxPickleBytes)
        {
            throw new InvalidCheckpointException(path, $"its data.pkl is {pickles[0].Length} bytes, far more than a state dict's pickle.");
        }

        var pickle = new byte[pickles[0].Length];
        using (var entry = pickles[0].Open())
        {
            entry.ReadExactly(pickle);
        }

        if (PickleOpcodeScanner.FindProblem(pickle) is { } problem)
        {
            throw new InvalidCheckpointException(path, problem);
        }
    }

    private static Dictionary<string, PickledTensor> SelectStateDict(string path, Hashtable root, bool preferEma)
    {
        if (TryAsStateDict(root) is { } direct)
        {
            return direct;
        }

        foreach (var key in preferEma ? WrapperKeysEmaFirst : WrapperKeys)
        {
            if (root[key] is Hashtable inner && TryAsStateDict(inner) is { } wrapped)
            {
                return wrapped;
            }
        }

        var keys = string.Join(", ", root.Keys.Cast<object>().Select(k => $"'{k}'").Take(20));
        throw new InvalidCheckpointException(path,
            $"it holds a dict with keys [{keys}] but no state dict (tensors at the top level or under 'state_dict', 'model' or 'state_dict_ema').");
    }

    private static Dictionary<string, PickledTensor>? TryAsStateDict(Hashtable table)
    {
        var tensors = new Dictionary<string, PickledTensor>(StringComparer.Ordinal);
        foreach (DictionaryEntry entry in table)
        {
            if (entry.Key is string key && PickledTensor.TryWrap(entry.Value) is { } tensor)
            {
                tensors[key] = tensor;
            }
        }

        return tensors.Count > 0 ? tensors : null;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"\(for ([\w.]+)\)")]
    private static partial System.Text.RegularExpressions.Regex CalleeName();
}
