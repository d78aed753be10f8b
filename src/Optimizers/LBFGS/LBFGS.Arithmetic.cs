using System.Numerics;

namespace Optimizers;

// The vector and scalar arithmetic of LBFGS<T>, rounded as torch's float32 path rounds it.
public partial class LBFGS<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    /// <summary>x rounded to <typeparamref name="T"/> (torch's 0-dimensional tensors of the parameters' dtype).</summary>
    private static double Round(double x) => typeof(T) == typeof(double) ? x : (float)x;

    private static double Dot(T[] a, T[] b)
    {
        T sum = T.Zero;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return double.CreateTruncating(sum);
    }

    private static double SumAbs(T[] a)
    {
        T sum = T.Zero;
        for (int i = 0; i < a.Length; i++)
        {
            sum += T.Abs(a[i]);
        }

        return double.CreateTruncating(sum);
    }

    private static double MaxAbs(T[] a)
    {
        T max = T.Zero;
        for (int i = 0; i < a.Length; i++)
        {
            T abs = T.Abs(a[i]);
            if (abs > max || T.IsNaN(abs))
            {
                max = abs;
            }
        }

        return double.CreateTruncating(max);
    }

    /// <summary>max |t·dᵢ| with t rounded to <typeparamref name="T"/> (torch's <c>d.mul(t).abs().max()</c>).</summary>
    private static double MaxAbsScaled(T[] d, double t)
    {
        T scale = T.CreateTruncating(t);
        T max = T.Zero;
        for (int i = 0; i < d.Length; i++)
        {
            T abs = T.Abs(d[i] * scale);
            if (abs > max || T.IsNaN(abs))
            {
                max = abs;
            }
        }

        return double.CreateTruncating(max);
    }

    /// <summary>x = x + α·y with α rounded to <typeparamref name="T"/> (torch's <c>x.add_(y, alpha=α)</c>).</summary>
    private static void AddScaled(T[] x, T[] y, double alpha)
    {
        T a = T.CreateTruncating(alpha);
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = T.FusedMultiplyAdd(a, y[i], x[i]);
        }
    }

    /// <summary>
    /// A scalar as torch's Python code holds it: a Python float, or a 0-dimensional tensor of the parameters' dtype
    /// (a dot product, a norm, and whatever is computed from one). An operation or comparison that involves a tensor
    /// rounds both operands to <typeparamref name="T"/> and its result, as torch's float32 path does; in float64 both
    /// kinds are doubles and nothing changes.
    /// </summary>
    private readonly struct Scalar
    {
        private Scalar(double value, bool isTensor)
        {
            Value = value;
            IsTensor = isTensor;
        }

        public double Value { get; }

        public bool IsTensor { get; }

        public static Scalar Tensor(double value) => new(Round(value), true);

        public static implicit operator Scalar(double value) => new(value, false);

        public static Scalar operator +(Scalar a, Scalar b) => Of(a, b, a.Value + b.Value, Round(a.Value) + Round(b.Value));

        public static Scalar operator -(Scalar a, Scalar b) => Of(a, b, a.Value - b.Value, Round(a.Value) - Round(b.Value));

        public static Scalar operator *(Scalar a, Scalar b) => Of(a, b, a.Value * b.Value, Round(a.Value) * Round(b.Value));

        public static Scalar operator /(Scalar a, Scalar b) => Of(a, b, a.Value / b.Value, Round(a.Value) / Round(b.Value));

        public static Scalar operator -(Scalar a) => new(-a.Value, a.IsTensor);

        public static bool operator <(Scalar a, Scalar b) => Operands(a, b) is var (x, y) && x < y;

        public static bool operator >(Scalar a, Scalar b) => Operands(a, b) is var (x, y) && x > y;

        public static bool operator <=(Scalar a, Scalar b) => Operands(a, b) is var (x, y) && x <= y;

        public static bool operator >=(Scalar a, Scalar b) => Operands(a, b) is var (x, y) && x >= y;

        public static Scalar Abs(Scalar a) => new(Math.Abs(a.Value), a.IsTensor);

        public static Scalar Sqrt(Scalar a) => new(Round(Math.Sqrt(a.Value)), a.IsTensor);

        /// <summary>Python's <c>max(a, b)</c>: a unless b &gt; a (the object itself, tensor or not).</summary>
        public static Scalar Max(Scalar a, Scalar b) => b > a ? b : a;

        /// <summary>Python's <c>min(a, b)</c>: a unless b &lt; a.</summary>
        public static Scalar Min(Scalar a, Scalar b) => b < a ? b : a;

        private static Scalar Of(Scalar a, Scalar b, double exact, double rounded)
            => a.IsTensor || b.IsTensor ? new(Round(rounded), true) : new(exact, false);

        private static (double, double) Operands(Scalar a, Scalar b)
            => a.IsTensor || b.IsTensor ? (Round(a.Value), Round(b.Value)) : (a.Value, b.Value);
    }
}
