namespace ConvMixerNet.Vision;

/// <summary>The floating-point type the model computes in. Probabilities are always computed in float32.</summary>
public enum InferencePrecision
{
    /// <summary>32-bit floats: the reference results.</summary>
    Float32,

    /// <summary>bfloat16 (8-bit mantissa): half the weight memory; fast on CPUs with AMX-BF16 or AVX512-BF16, and on CUDA.</summary>
    BFloat16,

    /// <summary>IEEE half precision: CUDA only.</summary>
    Float16,
}
