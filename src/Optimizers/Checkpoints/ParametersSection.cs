namespace Optimizers.Checkpoints;

/// <summary>The "parameters" section: each parameter's name, length and values (model weights).</summary>
internal sealed class ParametersSection
{
    private ParametersSection(KeyValuePair<string, double[]>[] values) => Values = values;

    public KeyValuePair<string, double[]>[] Values { get; }

    public static void Write(PayloadWriter writer, IReadOnlyList<Parameter> parameters)
    {
        writer.WriteInt32(parameters.Count);
        foreach (var parameter in parameters)
        {
            writer.WriteString(parameter.Name);
            writer.WriteInt32(parameter.Length);
            writer.WriteDoubles(parameter.ValueSpan);
        }
    }

    public static ParametersSection Parse(PayloadReader reader)
    {
        var values = new KeyValuePair<string, double[]>[reader.ReadCount("parameters", minimumItemBytes: 8)];
        for (int i = 0; i < values.Length; i++)
        {
            string name = reader.ReadString("a parameter name");
            int length = reader.ReadInt32();
            values[i] = new(name, reader.ReadDoubles(length, $"the values of parameter '{name}'"));
        }

        reader.ExpectEnd("The parameters section");
        return new ParametersSection(values);
    }

    public void Validate(IReadOnlyList<Parameter> parameters)
    {
        if (Values.Length != parameters.Count)
        {
            throw new CheckpointException(CheckpointError.Mismatch,
                $"The checkpoint holds the values of {Values.Length} parameters; {parameters.Count} were given.");
        }

        for (int i = 0; i < Values.Length; i++)
        {
            var (name, values) = Values[i];
            if (name != parameters[i].Name || values.Length != parameters[i].Length)
            {
                throw new CheckpointException(CheckpointError.Mismatch,
                    $"Parameter {i} is '{name}' of length {values.Length} in the checkpoint but '{parameters[i].Name}' of length {parameters[i].Length} here.");
            }
        }
    }

    public void Commit(IReadOnlyList<Parameter> parameters)
    {
        for (int i = 0; i < Values.Length; i++)
        {
            Values[i].Value.CopyTo(parameters[i].ValueSpan);
        }
    }
}
