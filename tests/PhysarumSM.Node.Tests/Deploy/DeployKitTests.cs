using System.Text.Json;
using System.Text.RegularExpressions;
using PhysarumSM.Containers.Configuration;
using PhysarumSM.Node.Configuration;
using PhysarumSM.TestKit;

namespace PhysarumSM.Node.Tests.Deploy;

/// <summary>
/// Keeps deploy/ true to the code: the metric and label names Prometheus and Grafana are given are the ones the code
/// exports, and the node flags the unit, the env file, the image and the README use are flags physarum-node lists.
/// Why a test: these files are read by tools that fail quietly (an empty panel, a node that exits 2 at boot).
/// </summary>
public sealed partial class DeployKitTests
{
    // Labels Prometheus adds to every scraped series; `le` is a histogram bucket's bound.
    private static readonly string[] TargetLabels = ["instance", "job"];

    private static readonly char[] Whitespace = [' ', '\t', '\n', '\r'];

    private static string Deploy(string relative) => Path.Combine(RepositoryRoot.Path, "deploy", relative);

    [Fact]
    public void The_metric_catalog_is_read_from_the_source()
    {
        var catalog = MetricCatalog.Value;
        Assert.Equal(new[] { "host", "targetHost" }, catalog["ping_rtt"].Labels.Order(StringComparer.Ordinal));
        Assert.True(catalog["physarum_proxy_request_seconds"].IsHistogram);
        Assert.Equal(new[] { "node", "outcome", "service" }, catalog["physarum_allocation_seconds"].Labels.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Prometheus_config_documents_every_exported_metric_with_its_labels()
    {
        var text = File.ReadAllText(Deploy("prometheus/prometheus.yml"));
        var comments = string.Join('\n', text.Split('\n').Where(l => l.TrimStart().StartsWith('#')));
        var documented = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (Match m in DocumentedMetric().Matches(comments))
        {
            var name = m.Groups["name"].Value;
            var labels = m.Groups["labels"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            Assert.True(MetricCatalog.Value.TryGetValue(name, out var metric), $"prometheus.yml documents {name}, which no src/**/*.cs creates");
            Assert.True(
                labels.Order(StringComparer.Ordinal).SequenceEqual(metric.Labels.Order(StringComparer.Ordinal)),
                $"prometheus.yml documents {name}{{{string.Join(',', labels)}}}; the code gives it {{{string.Join(',', metric.Labels)}}}");
            documented[name] = labels;
        }

        foreach (var name in MetricNames(comments))
        {
            Assert.True(Resolve(name) is not null, $"prometheus.yml mentions {name}, which no src/**/*.cs creates");
        }

        var undocumented = MetricCatalog.Value.Keys.Where(k => !documented.ContainsKey(k)).ToList();
        Assert.True(undocumented.Count == 0, $"add to prometheus.yml's comments (name{{labels}}): {string.Join(", ", undocumented)}");
    }

    [Fact]
    public void Prometheus_config_scrapes_the_nodes_with_instance_as_the_host_name()
    {
        var text = File.ReadAllText(Deploy("prometheus/prometheus.yml"));
        AssertYamlShape(text, "prometheus.yml");
        Assert.Contains("job_name: physarum-node", text, StringComparison.Ordinal);
        var targets = Regex.Matches(text, @"^\s*-\s*([\w.-]+):9100\s*$", RegexOptions.Multiline);
        Assert.Equal(3, targets.Count);
        Assert.Contains("target_label: instance", text, StringComparison.Ordinal);

        // The relabel regex must turn "machine-b:9100" into "machine-b" (Prometheus anchors it and substitutes $1).
        var regex = Regex.Match(text, @"regex:\s*'([^']+)'").Groups[1].Value;
        var replaced = Regex.Replace("machine-b:9100", $"^(?:{regex})$", "$1");
        Assert.Equal("machine-b", replaced);
    }

    [Fact]
    public void Registry_config_keeps_images_where_debian_docker_registry_expects_them()
    {
        var text = File.ReadAllText(Deploy("registry/config.yml"));
        AssertYamlShape(text, "registry/config.yml");
        Assert.Matches(@"(?m)^version: 0\.1\s*$", text);
        Assert.Matches(@"(?m)^\s+rootdirectory: /var/lib/docker-registry\s*$", text);
        Assert.Matches(@"(?m)^\s+addr: :5000\s*$", text);
    }

    [Fact]
    public void Grafana_dashboard_parses_and_queries_only_what_the_code_exports()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(Deploy("grafana/physarum-dashboard.json")));
        var root = document.RootElement;
        Assert.True(root.GetProperty("schemaVersion").GetInt32() >= 36, "schemaVersion of a current Grafana");
        Assert.Contains(root.GetProperty("templating").GetProperty("list").EnumerateArray(),
            v => v.GetProperty("type").GetString() == "datasource" && v.GetProperty("name").GetString() == "datasource");

        var used = new HashSet<string>(StringComparer.Ordinal);
        var panels = root.GetProperty("panels").EnumerateArray().Where(p => p.GetProperty("type").GetString() != "row").ToList();
        Assert.NotEmpty(panels);
        foreach (var panel in panels)
        {
            var title = panel.GetProperty("title").GetString();
            Assert.Equal("${datasource}", panel.GetProperty("datasource").GetProperty("uid").GetString());
            var panelLabels = new HashSet<string>(TargetLabels, StringComparer.Ordinal);
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                var expr = target.GetProperty("expr").GetString()!;
                var allowed = AllowedLabels(expr, $"panel '{title}'", used);
                panelLabels.UnionWith(allowed);
                foreach (var label in UsedLabels(expr))
                {
                    Assert.True(allowed.Contains(label), $"panel '{title}': label '{label}' in {expr} is not a label of its metrics ({string.Join(", ", allowed)})");
                }

                var legend = target.TryGetProperty("legendFormat", out var l) ? l.GetString() ?? "" : "";
                foreach (Match m in LegendLabel().Matches(legend))
                {
                    Assert.True(allowed.Contains(m.Groups[1].Value), $"panel '{title}': legend label '{m.Groups[1].Value}' is not a label of {expr}");
                }
            }

            // A matrix transformation names labels as its rows and columns.
            if (panel.TryGetProperty("transformations", out var transformations))
            {
                foreach (var option in transformations.EnumerateArray().SelectMany(t => t.GetProperty("options").EnumerateObject())
                             .Where(o => o.Name is "rowField" or "columnField"))
                {
                    Assert.True(panelLabels.Contains(option.Value.GetString()!), $"panel '{title}': {option.Name} '{option.Value}' is not a label of its query");
                }
            }
        }

        // Variable queries: label_values(METRIC, LABEL).
        foreach (var variable in root.GetProperty("templating").GetProperty("list").EnumerateArray().Where(v => v.GetProperty("type").GetString() == "query"))
        {
            var query = variable.GetProperty("definition").GetString()!;
            var m = Regex.Match(query, @"^label_values\((?<expr>.+),\s*(?<label>\w+)\)$");
            Assert.True(m.Success, $"variable query '{query}' is label_values(METRIC, LABEL)");
            var allowed = AllowedLabels(m.Groups["expr"].Value, $"variable '{variable.GetProperty("name").GetString()}'", used);
            Assert.Contains(m.Groups["label"].Value, allowed);
        }

        // What the dashboard is for (issue 8): the RTT matrix (peers named by host), instances, allocations, gateway requests and latency, cold starts, culls.
        string[] expected =
        [
            "ping_ewma_rtt", "physarum_node_info", "physarum_instances", "physarum_allocations_total", "physarum_allocation_seconds",
            "physarum_proxy_requests_total", "physarum_proxy_request_seconds", "physarum_cold_starts_total", "physarum_culls_total",
        ];
        var missing = expected.Where(e => !used.Contains(e)).ToList();
        Assert.True(missing.Count == 0, $"the dashboard graphs none of: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Node_flags_in_the_unit_env_file_image_and_readme_are_flags_physarum_node_lists()
    {
        var known = KnownFlags();
        Assert.Contains("redis", known);

        var unit = File.ReadAllText(Deploy("systemd/physarum-node.service"));
        var execStart = unit.Split('\n').Single(l => l.StartsWith("ExecStart=", StringComparison.Ordinal));
        var unitFlags = Flags(execStart["ExecStart=".Length..].Split(' ', 2)[1]).ToList();
        Assert.Contains("data-dir", unitFlags);
        Assert.Contains("keyfile", unitFlags);
        AssertKnown(unitFlags, known, "systemd/physarum-node.service");

        var env = File.ReadAllText(Deploy("systemd/physarum-node.env"));
        var envFlags = Regex.Matches(env, @"^#?\s*NODE_FLAGS=(.*)$", RegexOptions.Multiline).SelectMany(m => Flags(m.Groups[1].Value)).ToList();
        Assert.Contains("etcd-ip", envFlags);
        AssertKnown(envFlags, known, "systemd/physarum-node.env");
        foreach (Match variable in Regex.Matches(env, @"^(?<name>[A-Z][A-Z0-9_]*)=", RegexOptions.Multiline))
        {
            var name = variable.Groups["name"].Value;
            Assert.True(name == "NODE_FLAGS" || NodeCommandLine.Usage.Contains($"env {name}", StringComparison.Ordinal),
                $"physarum-node.env sets {name}, which physarum-node does not read (its -h names the env variables it reads)");
        }

        var dockerfile = File.ReadAllText(Deploy("node-image/Dockerfile"));
        var entrypoint = Regex.Match(dockerfile, @"^ENTRYPOINT \[(.*)\]$", RegexOptions.Multiline).Groups[1].Value;
        var imageFlags = Flags(entrypoint.Replace("\"", "", StringComparison.Ordinal).Replace(",", " ", StringComparison.Ordinal)).ToList();
        Assert.Contains("data-dir", imageFlags);
        AssertKnown(imageFlags, known, "node-image/Dockerfile");
        Assert.Contains($"BASE_IMAGE={ServiceConfig.DefaultBaseImage}", dockerfile, StringComparison.Ordinal);

        var readme = File.ReadAllText(Deploy("README.md"));
        var commandFlags = ReadmeCommandFlags(readme).ToList();
        var section = Regex.Match(readme, @"^## Three machines$(?<body>.*?)(?=^## |\z)", RegexOptions.Multiline | RegexOptions.Singleline);
        Assert.True(section.Success, "deploy/README.md has a '## Three machines' section");
        var proseFlags = Regex.Matches(section.Groups["body"].Value, @"`(-[a-z][^`]*)`").SelectMany(m => Flags(m.Groups[1].Value).Take(1)).ToList();
        Assert.Contains("new-etcd-cluster", commandFlags);
        Assert.Contains("bootstrap", commandFlags.Concat(proseFlags));
        AssertKnown(commandFlags.Concat(proseFlags), known, "deploy/README.md");
    }

    private static void AssertKnown(IEnumerable<string> flags, IReadOnlySet<string> known, string file)
    {
        var unknown = flags.Where(f => !known.Contains(f)).Distinct().ToList();
        Assert.True(unknown.Count == 0, $"{file} uses flags physarum-node -h does not list: {string.Join(", ", unknown.Select(f => "-" + f))}");
    }

    /// <summary>Flag names in `physarum-node -h`, e.g. "redis", "h".</summary>
    private static HashSet<string> KnownFlags() =>
        Regex.Matches(NodeCommandLine.Usage, @"^\s+-([a-z0-9-]+)", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

    /// <summary>Flag names among whitespace-separated words: "-flag", "--flag" and "-flag=value" (values never start with '-' here).</summary>
    private static IEnumerable<string> Flags(string words) =>
        words.Split(Whitespace, StringSplitOptions.RemoveEmptyEntries)
            .Select(w => FlagWord().Match(w))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value);

    /// <summary>
    /// Node flags on command lines inside the README's code blocks: what follows NODE_FLAGS=, the node image's name, or a
    /// physarum-node executable. Other commands' flags (docker, curl, systemctl) are theirs.
    /// </summary>
    private static IEnumerable<string> ReadmeCommandFlags(string readme)
    {
        var inCode = false;
        var pending = "";
        foreach (var raw in readme.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inCode = !inCode;
                continue;
            }

            if (!inCode)
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            var command = Regex.Replace(pending + line, @"\s#.*$", "");
            pending = "";
            var match = Regex.Match(command, @"(?:NODE_FLAGS=|physarum/node:local\b|^\s*(?:sudo\s+)?\S*physarum-node\b)(?<rest>.*)$");
            if (match.Success)
            {
                foreach (var flag in Flags(match.Groups["rest"].Value))
                {
                    yield return flag;
                }
            }
        }
    }

    /// <summary>Labels a query may use: those of the metrics it names, plus the scrape's own (and le with a bucket series).</summary>
    private static HashSet<string> AllowedLabels(string expr, string where, HashSet<string> used)
    {
        var allowed = new HashSet<string>(TargetLabels, StringComparer.Ordinal);
        var names = MetricNames(expr).ToList();
        Assert.True(names.Count > 0 || Regex.IsMatch(expr, @"\bup\{"), $"{where}: {expr} names no metric the nodes export");
        foreach (var name in names)
        {
            var metric = Resolve(name);
            Assert.True(metric is not null, $"{where}: {name} in {expr} is not created by any src/**/*.cs (nor a _bucket/_sum/_count of a histogram there)");
            used.Add(metric!.Name);
            allowed.UnionWith(metric.Labels);
            if (name.EndsWith("_bucket", StringComparison.Ordinal))
            {
                allowed.Add("le");
            }
        }

        return allowed;
    }

    /// <summary>Label names a PromQL expression groups by or matches on.</summary>
    private static IEnumerable<string> UsedLabels(string expr)
    {
        foreach (Match m in Regex.Matches(expr, @"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)"))
        {
            foreach (var label in m.Groups[1].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                yield return label;
            }
        }

        // label_replace(v, "dst", "replacement", "src", "regex"): both are label names (dst may overwrite one).
        foreach (Match m in Regex.Matches(expr, @"label_replace\(.*?,\s*""(\w+)"",\s*""[^""]*"",\s*""(\w+)"""))
        {
            yield return m.Groups[1].Value;
            yield return m.Groups[2].Value;
        }

        foreach (Match m in Regex.Matches(expr, @"\{([^}]*)\}"))
        {
            foreach (Match matcher in Regex.Matches(m.Groups[1].Value, @"(\w+)\s*(?:=~|!~|!=|=)"))
            {
                yield return matcher.Groups[1].Value;
            }
        }
    }

    private static IEnumerable<string> MetricNames(string text) =>
        Regex.Matches(text, @"\b(?:ping|physarum)_[a-z0-9_]*[a-z0-9]\b").Select(m => m.Value).Distinct();

    /// <summary>The metric a series name belongs to: itself, or the histogram whose _bucket/_sum/_count it is.</summary>
    private static Metric? Resolve(string name)
    {
        if (MetricCatalog.Value.TryGetValue(name, out var metric))
        {
            return metric;
        }

        var suffix = Regex.Match(name, "^(?<base>.+)_(?:bucket|sum|count)$");
        return suffix.Success && MetricCatalog.Value.TryGetValue(suffix.Groups["base"].Value, out var histogram) && histogram.IsHistogram ? histogram : null;
    }

    /// <summary>Checks what a YAML reader would refuse first, without one: tabs, odd indentation, lines that are neither key nor item, open quotes.</summary>
    private static void AssertYamlShape(string text, string file)
    {
        var number = 0;
        foreach (var raw in text.Split('\n'))
        {
            number++;
            var line = raw.TrimEnd('\r');
            Assert.False(line.Contains('\t', StringComparison.Ordinal), $"{file}:{number}: a tab (YAML indents with spaces)");
            var content = Regex.Replace(line, @"(^|\s)#.*$", "").TrimEnd();
            if (content.Length == 0)
            {
                continue;
            }

            var indent = content.Length - content.TrimStart().Length;
            Assert.True(indent % 2 == 0, $"{file}:{number}: indentation of {indent} spaces (two per level)");
            Assert.True(Regex.IsMatch(content, @"^\s*(- )?([\w.-]+:( .+)?|[^:\s][^\s]*|\[.*\]|'.*')$"), $"{file}:{number}: '{content.Trim()}' is neither KEY:, KEY: VALUE nor - ITEM");
            Assert.True(content.Count(c => c == '\'') % 2 == 0 && content.Count(c => c == '"') % 2 == 0, $"{file}:{number}: an unclosed quote");
        }
    }

    private sealed record Metric(string Name, IReadOnlyList<string> Labels, bool IsHistogram);

    /// <summary>
    /// Every prometheus-net series the source creates: Create{Gauge,Counter,Histogram,Summary}("name", "help", labels…) or a
    /// configuration's LabelNames = [...]. Read from src/**/*.cs, so the test needs no running node.
    /// </summary>
    private static readonly Lazy<IReadOnlyDictionary<string, Metric>> MetricCatalog = new(() =>
    {
        var catalog = new Dictionary<string, Metric>(StringComparer.Ordinal);
        var sources = Directory.EnumerateFiles(Path.Combine(RepositoryRoot.Path, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "obj" or "bin"));
        foreach (var file in sources)
        {
            foreach (Match call in CreateCall().Matches(File.ReadAllText(file)))
            {
                var strings = Regex.Matches(call.Groups["args"].Value, "\"((?:[^\"\\\\]|\\\\.)*)\"").Select(m => m.Groups[1].Value).ToList();
                var labels = strings.Skip(1).ToList();   // the first is the help text
                catalog[call.Groups["name"].Value] = new Metric(call.Groups["name"].Value, labels, call.Groups["kind"].Value == "Histogram");
            }
        }

        Assert.NotEmpty(catalog);
        return catalog;
    });

    [GeneratedRegex(@"\bCreate(?<kind>Gauge|Counter|Histogram|Summary)\(\s*""(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)""(?<args>.*?)\);", RegexOptions.Singleline)]
    private static partial Regex CreateCall();

    [GeneratedRegex(@"\b(?<name>(?:ping|physarum)_[a-z0-9_]+)\{(?<labels>[a-zA-Z0-9_, ]*)\}")]
    private static partial Regex DocumentedMetric();

    [GeneratedRegex(@"\{\{\s*(\w+)\s*\}\}")]
    private static partial Regex LegendLabel();

    [GeneratedRegex(@"^--?([a-z][a-z0-9-]*)(?:=.*)?$")]
    private static partial Regex FlagWord();
}
