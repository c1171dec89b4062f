using System.Runtime.InteropServices;
using ConvMixerNet.Onnx.Protobuf;

namespace ConvMixerNet.Onnx;

/// <summary>Reads float32 initializers, whether stored as raw bytes (as the exporter writes) or as float_data.</summary>
internal static class InitializerData
{
    public static float[] Floats(TensorProto tensor)
    {
        if (tensor.DataType != (int)TensorProto.Types.DataType.Float)
        {
            throw new InvalidOperationException($"Initializer '{tensor.Name}' is not float32.");
        }

        return tensor.RawData.Length > 0
            ? MemoryMarshal.Cast<byte, float>(tensor.RawData.Span).ToArray()
            : tensor.FloatData.ToArray();
    }
}
