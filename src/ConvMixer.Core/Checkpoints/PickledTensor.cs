using System.Reflection;
using static TorchSharp.torch;

namespace ConvMixerNet.Core;

/// <summary>
/// A tensor of a <c>torch.save</c> file described but not yet read: what PyBridge's unpickler returns with
/// <c>skipTensorRead</c> (its internal <c>TensorConstructorArgs</c>, reached by reflection; the PyBridge version is
/// pinned centrally). Lets the reader check declared sizes and skip tensors no model wants before decompressing them.
/// </summary>
internal sealed class PickledTensor
{
    private const string DescriptorTypeName = "TensorConstructorArgs";
    private readonly object _descriptor;

    private PickledTensor(object descriptor)
    {
        _descriptor = descriptor;
        var type = descriptor.GetType();
        Shape = (long[])Property(type, "Shape").GetValue(descriptor)!;
        Stride = (long[])Property(type, "Stride").GetValue(descriptor)!;
        DType = (ScalarType)Property(type, "DType").GetValue(descriptor)!;
        StorageOffset = (int)Property(type, "StorageOffset").GetValue(descriptor)!;
        ArchiveIndex = (int)Property(type, "ArchiveIndex").GetValue(descriptor)!;
    }

    public long[] Shape { get; }

    public long[] Stride { get; }

    public ScalarType DType { get; }

    public int StorageOffset { get; }

    /// <summary>Index of the zip entry that stores the data.</summary>
    public int ArchiveIndex { get; }

    /// <summary>Bytes of storage reading this tensor needs (its elements, or the furthest one its strides reach); null when that overflows or the shape is invalid.</summary>
    public long? BytesNeeded
    {
        get
        {
            if (Shape.Any(s => s < 0) || Stride.Length != Shape.Length || StorageOffset < 0)
            {
                return null;
            }

            try
            {
                checked
                {
                    long elements = 1;
                    long furthest = StorageOffset;
                    for (var i = 0; i < Shape.Length; i++)
                    {
                        elements *= Shape[i];
                        furthest += Shape[i] == 0 ? 0 : (Shape[i] - 1) * Math.Abs(Stride[i]);
                    }

                    return elements == 0 ? 0 : Math.Max(elements, furthest + 1) * ElementSize(DType);
                }
            }
            catch (OverflowException)
            {
                return null;
            }
        }
    }

    public static PickledTensor? TryWrap(object? value) =>
        value is not null && value.GetType().Name == DescriptorTypeName ? new PickledTensor(value) : null;

    /// <summary>Decompresses and builds the tensor.</summary>
    public Tensor Read() => (Tensor)_descriptor.GetType().GetMethod("ReadTensorFromStream")!.Invoke(_descriptor, null)!;

    /// <summary>Releases the entry stream of a tensor that is not read.</summary>
    public void Skip() => (Property(_descriptor.GetType(), "Data").GetValue(_descriptor) as Stream)?.Dispose();

    public static long ElementSize(ScalarType type) => type switch
    {
        ScalarType.Float64 or ScalarType.Int64 or ScalarType.ComplexFloat32 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        ScalarType.ComplexFloat64 => 16,
        _ => 1,
    };

    private static PropertyInfo Property(Type type, string name) =>
        type.GetProperty(name) ?? throw new InvalidOperationException($"PyBridge's {DescriptorTypeName} has no {name}; the reader needs the PyBridge version it was written for.");
}
