// Converts the module's help, written as platyPS (schema 2.0.0) markdown in docs/, into what Get-Help reads:
// one MAML file (<Assembly>.dll-Help.xml) for the cmdlets and about_*.help.txt files for the about topics.
// platyPS is not available on every build machine, so the build does this itself; the markdown stays platyPS's so
// platyPS keeps working on the same files where it exists.
//
// This one file is compiled twice: by MSBuild's RoslynCodeTaskFactory as the inline task of build/Help.targets (which
// allows a single source file and compiles it against netstandard 2.0, hence the conservative API use), and by the
// test project, which defines CALLRECORDS_HELPGEN_LIBRARY to leave out the MSBuild task class.
#nullable enable

using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace CallRecords.Build.Help;

/// <summary>A help source that cannot be converted; the message always names the file (and line when known).</summary>
public sealed class HelpDocumentException : Exception
{
    public HelpDocumentException(string file, int line, string problem)
        : base(line > 0 ? $"{file}({line}): {problem}" : $"{file}: {problem}")
    {
        File = file;
        Line = line;
        Problem = problem;
    }

    public string File { get; }
    public int Line { get; }
    public string Problem { get; }
}

public sealed class CommandHelp
{
    public CommandHelp(string name) => Name = name;

    public string Name { get; }
    public string? OnlineVersion { get; set; }
    public List<string> Synopsis { get; } = new List<string>();
    public List<string> Description { get; } = new List<string>();
    /// <summary>Parameter sets in the order of ## SYNTAX; empty means the one implicit set.</summary>
    public List<ParameterSetHelp> ParameterSets { get; } = new List<ParameterSetHelp>();
    public List<ParameterHelp> Parameters { get; } = new List<ParameterHelp>();
    public bool SupportsCommonParameters { get; set; }
    public List<ExampleHelp> Examples { get; } = new List<ExampleHelp>();
    public List<TypeHelp> Inputs { get; } = new List<TypeHelp>();
    public List<TypeHelp> Outputs { get; } = new List<TypeHelp>();
    public List<string> Notes { get; } = new List<string>();
    public List<RelatedLink> Links { get; } = new List<RelatedLink>();

    public string Verb => Name.Substring(0, Name.IndexOf('-'));
    public string Noun => Name.Substring(Name.IndexOf('-') + 1);
}

public sealed class ParameterSetHelp
{
    public ParameterSetHelp(string name, bool isDefault)
    {
        Name = name;
        IsDefault = isDefault;
    }

    public string Name { get; }
    public bool IsDefault { get; }
}

public sealed class ParameterHelp
{
    public ParameterHelp(string name) => Name = name;

    public string Name { get; }
    public List<string> Description { get; } = new List<string>();
    /// <summary>One entry per ```yaml block: platyPS writes several when the parameter differs between sets.</summary>
    public List<ParameterMetadata> Metadata { get; } = new List<ParameterMetadata>();
}

public sealed class ParameterMetadata
{
    public string Type { get; set; } = "Object";
    /// <summary>Empty means "(All)".</summary>
    public List<string> ParameterSets { get; } = new List<string>();
    public List<string> Aliases { get; } = new List<string>();
    public List<string> AcceptedValues { get; } = new List<string>();
    public bool Required { get; set; }
    /// <summary>"Named" or a number, as platyPS writes it.</summary>
    public string Position { get; set; } = "Named";
    public string DefaultValue { get; set; } = "None";
    /// <summary>"False" or e.g. "True (ByPropertyName, ByValue)"; MAML carries the same text.</summary>
    public string PipelineInput { get; set; } = "False";
    public bool Globbing { get; set; }

    public bool AppliesTo(string setName) =>
        ParameterSets.Count == 0 || ParameterSets.Any(s => string.Equals(s, setName, StringComparison.OrdinalIgnoreCase));

    public bool IsSwitch =>
        string.Equals(Type, "SwitchParameter", StringComparison.OrdinalIgnoreCase) ||
        string.Equals(Type, "System.Management.Automation.SwitchParameter", StringComparison.OrdinalIgnoreCase) ||
        string.Equals(Type, "switch", StringComparison.OrdinalIgnoreCase);
}

public sealed class ExampleHelp
{
    public ExampleHelp(string title) => Title = title;

    public string Title { get; }
    public List<string> Introduction { get; } = new List<string>();
    public string Code { get; set; } = "";
    public List<string> Remarks { get; } = new List<string>();
}

public sealed class TypeHelp
{
    public TypeHelp(string typeName) => TypeName = typeName;

    public string TypeName { get; }
    public List<string> Description { get; } = new List<string>();
}

public sealed class RelatedLink
{
    public RelatedLink(string text, string uri)
    {
        Text = text;
        Uri = uri;
    }

    public string Text { get; }
    /// <summary>Absolute URI, or empty: a link to a sibling .md page means "the help of that command" in Get-Help.</summary>
    public string Uri { get; }
}

/// <summary>The markdown blocks the help format uses. Lines are 1-based lines of the source file.</summary>
public enum BlockKind { Heading, Paragraph, ListItem, Code, Table }

public sealed class Block
{
    public Block(BlockKind kind, int line, string text, int level = 0, string info = "")
    {
        Kind = kind;
        Line = line;
        Text = text;
        Level = level;
        Info = info;
    }

    public BlockKind Kind { get; }
    public int Line { get; }
    /// <summary>Heading title, joined paragraph/list text, or the verbatim lines of a code fence or table.</summary>
    public string Text { get; }
    /// <summary>Heading level (1-6); for list items the marker's indent.</summary>
    public int Level { get; }
    /// <summary>A fence's info string (language) or an ordered list item's marker.</summary>
    public string Info { get; }
}

public static class MarkdownBlocks
{
    private static readonly Regex Heading = new Regex(@"^ {0,3}(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$");
    private static readonly Regex Fence = new Regex(@"^( {0,3})(`{3,}|~{3,})[ \t]*([^`\s]*)");
    private static readonly Regex ListMarker = new Regex(@"^( {0,3})([-*+]|\d{1,9}[.)])[ \t]+(.*)$");

    /// <summary>Splits markdown lines into blocks. <paramref name="firstLine"/> is the file line of lines[0].</summary>
    public static List<Block> Parse(IList<string> lines, int firstLine, string file)
    {
        var blocks = new List<Block>();
        var i = 0;
        while (i < lines.Count)
        {
            var line = lines[i];
            var lineNo = firstLine + i;
            if (line.Trim().Length == 0)
            {
                i++;
                continue;
            }

            var fence = Fence.Match(line);
            if (fence.Success)
            {
                var marker = fence.Groups[2].Value;
                var indent = fence.Groups[1].Value.Length;
                var body = new List<string>();
                i++;
                var closed = false;
                while (i < lines.Count)
                {
                    var t = lines[i].TrimStart();
                    if (t.StartsWith(marker.Substring(0, 3), StringComparison.Ordinal) && t.Trim().Trim(marker[0]).Length == 0 &&
                        t.Trim().Length >= marker.Length)
                    {
                        closed = true;
                        i++;
                        break;
                    }

                    body.Add(StripIndent(lines[i], indent));
                    i++;
                }

                if (!closed)
                {
                    throw new HelpDocumentException(file, lineNo, "code fence is never closed");
                }

                blocks.Add(new Block(BlockKind.Code, lineNo, string.Join("\n", body), info: fence.Groups[3].Value));
                continue;
            }

            var heading = Heading.Match(line);
            if (heading.Success)
            {
                blocks.Add(new Block(BlockKind.Heading, lineNo, heading.Groups[2].Value.Trim(), heading.Groups[1].Value.Length));
                i++;
                continue;
            }

            if (line.TrimStart().StartsWith("|", StringComparison.Ordinal))
            {
                var rows = new List<string>();
                while (i < lines.Count && lines[i].TrimStart().StartsWith("|", StringComparison.Ordinal))
                {
                    rows.Add(lines[i].Trim());
                    i++;
                }

                blocks.Add(new Block(BlockKind.Table, lineNo, string.Join("\n", rows)));
                continue;
            }

            var item = ListMarker.Match(line);
            if (item.Success)
            {
                var text = new StringBuilder(item.Groups[3].Value.Trim());
                i++;
                // Lazy continuation: following non-blank lines that start no new block belong to the item.
                while (i < lines.Count && lines[i].Trim().Length > 0 && !StartsBlock(lines[i]))
                {
                    text.Append(' ').Append(lines[i].Trim());
                    i++;
                }

                var ordered = char.IsDigit(item.Groups[2].Value[0]);
                blocks.Add(new Block(BlockKind.ListItem, lineNo, text.ToString(), item.Groups[1].Value.Length,
                    ordered ? item.Groups[2].Value : "-"));
                continue;
            }

            var para = new StringBuilder();
            while (i < lines.Count && lines[i].Trim().Length > 0 && (para.Length == 0 || !StartsBlock(lines[i])))
            {
                if (para.Length > 0)
                {
                    para.Append(' ');
                }

                para.Append(lines[i].Trim());
                i++;
            }

            blocks.Add(new Block(BlockKind.Paragraph, lineNo, para.ToString()));
        }

        return blocks;
    }

    private static bool StartsBlock(string line) =>
        Fence.IsMatch(line) || Heading.IsMatch(line) || ListMarker.IsMatch(line) ||
        line.TrimStart().StartsWith("|", StringComparison.Ordinal);

    private static string StripIndent(string line, int indent)
    {
        var n = 0;
        while (n < indent && n < line.Length && line[n] == ' ')
        {
            n++;
        }

        return line.Substring(n);
    }

    private static readonly Regex Link = new Regex(@"\[([^\]]+)\]\(([^)\s]+)\)");
    private static readonly Regex Escape = new Regex(@"\\([\\`*_{}\[\]()#+\-.!<>|])");

    /// <summary>Markdown inline text as Get-Help shows it: links as "text (uri)", emphasis markers and escapes removed.
    /// Backticks stay: they mark code, and PowerShell users read them that way in help.</summary>
    public static string Inline(string text)
    {
        var s = Link.Replace(text, m =>
        {
            var label = m.Groups[1].Value;
            var uri = m.Groups[2].Value;
            return IsAbsoluteWebUri(uri) && !string.Equals(label, uri, StringComparison.Ordinal) ? $"{label} ({uri})" : label;
        });
        s = s.Replace("**", "").Replace("__", "");
        return Escape.Replace(s, "$1");
    }

    public static bool IsAbsoluteWebUri(string uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var u) && (u.Scheme == "http" || u.Scheme == "https");
}

/// <summary>Reads one platyPS schema 2.0.0 command page.</summary>
public static class PlatyPsMarkdown
{
    private static readonly string[] KnownSections =
    {
        "SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS",
    };

    private static readonly Regex CommandName = new Regex(@"^[A-Za-z]+-[A-Za-z0-9]+$");
    private static readonly Regex SetHeading = new Regex(@"^(.+?)(\s+\(Default\))?$", RegexOptions.IgnoreCase);

    /// <summary>Front matter keys (lower-cased) and the line after the closing ---, or null when the text has none.</summary>
    public static Dictionary<string, string>? ReadFrontMatter(string[] lines, out int bodyStart)
    {
        bodyStart = 0;
        if (lines.Length == 0 || lines[0].Trim() != "---")
        {
            return null;
        }

        var keys = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 1; i < lines.Length; i++)
        {
            if (lines[i].Trim() == "---")
            {
                bodyStart = i + 1;
                return keys;
            }

            var colon = lines[i].IndexOf(':');
            if (colon > 0)
            {
                keys[lines[i].Substring(0, colon).Trim()] = lines[i].Substring(colon + 1).Trim();
            }
        }

        return null;
    }

    /// <summary>True for pages platyPS would convert: front matter naming a schema or an external help file.</summary>
    public static bool IsCommandPage(string text)
    {
        var front = ReadFrontMatter(SplitLines(text), out _);
        return front != null && (front.ContainsKey("schema") || front.ContainsKey("external help file"));
    }

    public static string[] SplitLines(string text) =>
        text.Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');

    public static CommandHelp Parse(string text, string file)
    {
        var lines = SplitLines(text);
        var front = ReadFrontMatter(lines, out var bodyStart);
        if (front == null)
        {
            throw new HelpDocumentException(file, 1, "no platyPS front matter (--- … ---) at the top of the page");
        }

        if (front.TryGetValue("schema", out var schema) && schema.Length > 0 && schema != "2.0.0")
        {
            throw new HelpDocumentException(file, 1, $"schema '{schema}' is not supported; write platyPS schema 2.0.0");
        }

        var body = new List<string>();
        for (var i = bodyStart; i < lines.Length; i++)
        {
            body.Add(lines[i]);
        }

        var blocks = MarkdownBlocks.Parse(body, bodyStart + 1, file);
        if (blocks.Count == 0 || blocks[0].Kind != BlockKind.Heading || blocks[0].Level != 1)
        {
            throw new HelpDocumentException(file, blocks.Count > 0 ? blocks[0].Line : bodyStart + 1,
                "the page must start with '# Verb-Noun' after the front matter");
        }

        var name = blocks[0].Text;
        if (!CommandName.IsMatch(name))
        {
            throw new HelpDocumentException(file, blocks[0].Line, $"'{name}' is not a Verb-Noun command name");
        }

        var help = new CommandHelp(name);
        if (front.TryGetValue("online version", out var online) && online.Length > 0)
        {
            if (!MarkdownBlocks.IsAbsoluteWebUri(online))
            {
                throw new HelpDocumentException(file, 1, $"online version '{online}' is not an absolute http(s) URI");
            }

            help.OnlineVersion = online;
        }

        List<(Block Heading, int From, int To)> sections;
        try
        {
            sections = SplitByHeading(blocks, 1, blocks.Count, 2);
        }
        catch (StrayContentException e)
        {
            throw new HelpDocumentException(file, e.Block.Line,
                $"content outside a '## SECTION' heading: \"{Shorten(e.Block.Text)}\"");
        }

        var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        foreach (var (heading, from, to) in sections)
        {
            var title = heading.Text.Trim().ToUpperInvariant();
            if (Array.IndexOf(KnownSections, title) < 0)
            {
                throw new HelpDocumentException(file, heading.Line,
                    $"unknown section '## {heading.Text}'; platyPS sections are {string.Join(", ", KnownSections)}");
            }

            if (seen.ContainsKey(title))
            {
                throw new HelpDocumentException(file, heading.Line, $"section '## {title}' appears twice");
            }

            seen[title] = heading.Line;

            switch (title)
            {
                case "SYNOPSIS":
                    help.Synopsis.AddRange(Paragraphs(blocks, from, to, file));
                    break;
                case "SYNTAX":
                    ReadSyntax(help, blocks, from, to, file);
                    break;
                case "DESCRIPTION":
                    help.Description.AddRange(Paragraphs(blocks, from, to, file));
                    break;
                case "EXAMPLES":
                    ReadExamples(help, blocks, from, to, file);
                    break;
                case "PARAMETERS":
                    ReadParameters(help, blocks, from, to, file);
                    break;
                case "INPUTS":
                    ReadTypes(help.Inputs, blocks, from, to, file, "INPUTS");
                    break;
                case "OUTPUTS":
                    ReadTypes(help.Outputs, blocks, from, to, file, "OUTPUTS");
                    break;
                case "NOTES":
                    help.Notes.AddRange(Paragraphs(blocks, from, to, file));
                    break;
                case "RELATED LINKS":
                    ReadLinks(help, blocks, from, to, file);
                    break;
            }
        }

        if (help.Synopsis.Count == 0)
        {
            throw new HelpDocumentException(file, seen.TryGetValue("SYNOPSIS", out var at) ? at : 0, $"{name}: '## SYNOPSIS' is missing or empty");
        }

        if (help.Description.Count == 0)
        {
            throw new HelpDocumentException(file, seen.TryGetValue("DESCRIPTION", out var at) ? at : 0, $"{name}: '## DESCRIPTION' is missing or empty");
        }

        CheckParameterSets(help, file);
        return help;
    }

    /// <summary>(heading, first block after it, end) for each heading of <paramref name="level"/> in [from, to).
    /// Content before the first such heading is an error: it would silently vanish from the help.</summary>
    private static List<(Block Heading, int From, int To)> SplitByHeading(List<Block> blocks, int from, int to, int level)
    {
        var result = new List<(Block, int, int)>();
        for (var i = from; i < to; i++)
        {
            if (blocks[i].Kind == BlockKind.Heading && blocks[i].Level == level)
            {
                var end = i + 1;
                while (end < to && !(blocks[end].Kind == BlockKind.Heading && blocks[end].Level <= level))
                {
                    end++;
                }

                result.Add((blocks[i], i + 1, end));
                i = end - 1;
            }
            else if (result.Count == 0 || blocks[i].Kind == BlockKind.Heading && blocks[i].Level < level)
            {
                throw new StrayContentException(blocks[i]);
            }
        }

        return result;
    }

    private sealed class StrayContentException : Exception
    {
        public StrayContentException(Block block) : base("content outside a section") => Block = block;

        public Block Block { get; }
    }

    private static List<(Block Heading, int From, int To)> Subsections(List<Block> blocks, int from, int to, string file,
        string section)
    {
        try
        {
            return SplitByHeading(blocks, from, to, 3);
        }
        catch (StrayContentException e)
        {
            throw new HelpDocumentException(file, e.Block.Line,
                $"'## {section}' holds content outside a '### …' subsection: \"{Shorten(e.Block.Text)}\"");
        }
    }

    private static string Shorten(string s) => s.Length > 60 ? s.Substring(0, 57) + "..." : s;

    /// <summary>Text blocks as MAML paragraphs. A heading inside prose is refused: MAML has no place for it.</summary>
    private static List<string> Paragraphs(List<Block> blocks, int from, int to, string file)
    {
        var paras = new List<string>();
        for (var i = from; i < to; i++)
        {
            var b = blocks[i];
            if (b.Kind == BlockKind.Heading)
            {
                throw new HelpDocumentException(file, b.Line, $"unexpected heading '{b.Text}' inside a text section");
            }

            paras.Add(ParagraphText(b, file));
        }

        return paras;
    }

    private static string ParagraphText(Block b, string file)
    {
        string text;
        switch (b.Kind)
        {
            case BlockKind.ListItem:
                text = (b.Info == "-" ? "- " : b.Info + " ") + MarkdownBlocks.Inline(b.Text);
                break;
            case BlockKind.Code:
            case BlockKind.Table:
                text = b.Text;
                break;
            default:
                text = MarkdownBlocks.Inline(b.Text);
                break;
        }

        CheckPlaceholder(text, file, b.Line);
        return text;
    }

    private static void CheckPlaceholder(string text, string file, int line)
    {
        var open = text.IndexOf("{{", StringComparison.Ordinal);
        if (open >= 0 && text.IndexOf("}}", open, StringComparison.Ordinal) > open)
        {
            throw new HelpDocumentException(file, line, $"unfilled platyPS placeholder: \"{Shorten(text)}\"");
        }
    }

    private static void ReadSyntax(CommandHelp help, List<Block> blocks, int from, int to, string file)
    {
        foreach (var (heading, start, end) in Subsections(blocks, from, to, file, "SYNTAX"))
        {
            var m = SetHeading.Match(heading.Text.Trim());
            var setName = m.Groups[1].Value.Trim();
            if (!Enumerable.Range(start, end - start).Any(i => blocks[i].Kind == BlockKind.Code))
            {
                throw new HelpDocumentException(file, heading.Line, $"syntax '### {heading.Text}' has no code block");
            }

            if (help.ParameterSets.Any(s => string.Equals(s.Name, setName, StringComparison.OrdinalIgnoreCase)))
            {
                throw new HelpDocumentException(file, heading.Line, $"parameter set '{setName}' is listed twice");
            }

            help.ParameterSets.Add(new ParameterSetHelp(setName, m.Groups[2].Success));
        }
    }

    private static void ReadExamples(CommandHelp help, List<Block> blocks, int from, int to, string file)
    {
        foreach (var (heading, start, end) in Subsections(blocks, from, to, file, "EXAMPLES"))
        {
            CheckPlaceholder(heading.Text, file, heading.Line);
            var example = new ExampleHelp(MarkdownBlocks.Inline(heading.Text));
            var codes = new List<string>();
            for (var i = start; i < end; i++)
            {
                var b = blocks[i];
                if (b.Kind == BlockKind.Heading)
                {
                    throw new HelpDocumentException(file, b.Line, $"unexpected heading '{b.Text}' inside example '{heading.Text}'");
                }

                // The first run of code fences is the example's code; prose before it introduces it, everything
                // after it (prose, or further code shown as output) is remarks, in order.
                if (b.Kind == BlockKind.Code && example.Remarks.Count == 0)
                {
                    CheckPlaceholder(b.Text, file, b.Line);
                    codes.Add(b.Text);
                }
                else if (codes.Count == 0)
                {
                    example.Introduction.Add(ParagraphText(b, file));
                }
                else
                {
                    example.Remarks.Add(ParagraphText(b, file));
                }
            }

            if (codes.Count == 0)
            {
                throw new HelpDocumentException(file, heading.Line, $"example '{heading.Text}' has no code block");
            }

            example.Code = string.Join("\n\n", codes);
            help.Examples.Add(example);
        }
    }

    private static void ReadParameters(CommandHelp help, List<Block> blocks, int from, int to, string file)
    {
        foreach (var (heading, start, end) in Subsections(blocks, from, to, file, "PARAMETERS"))
        {
            var title = heading.Text.Trim();
            var bare = title.Trim('<', '>');
            if (string.Equals(bare, "CommonParameters", StringComparison.OrdinalIgnoreCase) ||
                string.Equals(bare, "WorkflowCommonParameters", StringComparison.OrdinalIgnoreCase))
            {
                // platyPS writes fixed text here and ignores it for MAML; the engine adds the common parameters.
                help.SupportsCommonParameters = true;
                continue;
            }

            if (!title.StartsWith("-", StringComparison.Ordinal) || title.Length < 2 || title.IndexOf(' ') >= 0)
            {
                throw new HelpDocumentException(file, heading.Line,
                    $"parameter heading '### {title}' must be '### -Name' (or '### CommonParameters')");
            }

            var parameter = new ParameterHelp(title.Substring(1));
            if (help.Parameters.Any(p => string.Equals(p.Name, parameter.Name, StringComparison.OrdinalIgnoreCase)))
            {
                throw new HelpDocumentException(file, heading.Line, $"parameter -{parameter.Name} is described twice");
            }

            for (var i = start; i < end; i++)
            {
                var b = blocks[i];
                if (b.Kind == BlockKind.Code && string.Equals(b.Info, "yaml", StringComparison.OrdinalIgnoreCase))
                {
                    parameter.Metadata.Add(ReadParameterYaml(b, file, parameter.Name));
                }
                else if (parameter.Metadata.Count == 0)
                {
                    parameter.Description.Add(ParagraphText(b, file));
                }
                else
                {
                    throw new HelpDocumentException(file, b.Line,
                        $"parameter -{parameter.Name}: text after its ```yaml block; put the description above it");
                }
            }

            if (parameter.Metadata.Count == 0)
            {
                throw new HelpDocumentException(file, heading.Line,
                    $"parameter -{parameter.Name} has no ```yaml block (Type, Parameter Sets, Aliases, Required, Position, …)");
            }

            if (parameter.Description.Count == 0)
            {
                throw new HelpDocumentException(file, heading.Line, $"parameter -{parameter.Name} has no description");
            }

            help.Parameters.Add(parameter);
        }
    }

    private static ParameterMetadata ReadParameterYaml(Block yaml, string file, string parameter)
    {
        var meta = new ParameterMetadata();
        var lines = yaml.Text.Split('\n');
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n];
            var lineNo = yaml.Line + 1 + n;
            if (line.Trim().Length == 0 || line.TrimStart().StartsWith("#", StringComparison.Ordinal))
            {
                continue;
            }

            var colon = line.IndexOf(':');
            if (colon <= 0)
            {
                throw new HelpDocumentException(file, lineNo, $"parameter -{parameter}: '{line.Trim()}' is not 'Key: value'");
            }

            var key = line.Substring(0, colon).Trim();
            var value = line.Substring(colon + 1).Trim();
            seen.Add(key);
            switch (key.ToLowerInvariant())
            {
                case "type":
                    meta.Type = value.Length > 0 ? value : "Object";
                    break;
                case "parameter sets":
                    if (value.Length > 0 && !string.Equals(value, "(All)", StringComparison.OrdinalIgnoreCase))
                    {
                        meta.ParameterSets.AddRange(List(value));
                    }

                    break;
                case "aliases":
                    meta.Aliases.AddRange(List(value));
                    break;
                case "accepted values":
                    meta.AcceptedValues.AddRange(List(value));
                    break;
                case "required":
                    meta.Required = Bool(value, file, lineNo, parameter, key);
                    break;
                case "position":
                    if (!string.Equals(value, "Named", StringComparison.OrdinalIgnoreCase) &&
                        !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    {
                        throw new HelpDocumentException(file, lineNo, $"parameter -{parameter}: Position '{value}' is neither Named nor a number");
                    }

                    meta.Position = string.Equals(value, "Named", StringComparison.OrdinalIgnoreCase) ? "Named" : value;
                    break;
                case "default value":
                    meta.DefaultValue = value.Length > 0 ? value : "None";
                    break;
                case "accept pipeline input":
                    meta.PipelineInput = PipelineInput(value, file, lineNo, parameter);
                    break;
                case "accept wildcard characters":
                    meta.Globbing = Bool(value, file, lineNo, parameter, key);
                    break;
                default:
                    // platyPS tolerates keys of newer schemas (e.g. "Applicable"); so do we.
                    break;
            }
        }

        foreach (var required in new[] { "Type", "Required", "Position", "Accept pipeline input" })
        {
            if (!seen.Contains(required))
            {
                throw new HelpDocumentException(file, yaml.Line, $"parameter -{parameter}: the ```yaml block has no '{required}:'");
            }
        }

        return meta;
    }

    private static IEnumerable<string> List(string value) =>
        value.Split(',').Select(s => s.Trim()).Where(s => s.Length > 0 && !string.Equals(s, "None", StringComparison.OrdinalIgnoreCase));

    private static bool Bool(string value, string file, int line, string parameter, string key)
    {
        if (string.Equals(value, "True", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (string.Equals(value, "False", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        throw new HelpDocumentException(file, line, $"parameter -{parameter}: {key} must be True or False, not '{value}'");
    }

    private static readonly Regex Pipeline = new Regex(@"^True\s*\(\s*(ByValue|ByPropertyName)(\s*,\s*(ByValue|ByPropertyName))?\s*\)$", RegexOptions.IgnoreCase);

    private static string PipelineInput(string value, string file, int line, string parameter)
    {
        if (string.Equals(value, "False", StringComparison.OrdinalIgnoreCase))
        {
            return "False";
        }

        var m = Pipeline.Match(value);
        if (!m.Success)
        {
            throw new HelpDocumentException(file, line,
                $"parameter -{parameter}: Accept pipeline input must be False or True (ByValue|ByPropertyName[, …]), not '{value}'");
        }

        var kinds = new List<string> { Canonical(m.Groups[1].Value) };
        if (m.Groups[3].Success)
        {
            kinds.Add(Canonical(m.Groups[3].Value));
        }

        return $"True ({string.Join(", ", kinds)})";
    }

    private static string Canonical(string kind) =>
        string.Equals(kind, "ByValue", StringComparison.OrdinalIgnoreCase) ? "ByValue" : "ByPropertyName";

    private static void ReadTypes(List<TypeHelp> types, List<Block> blocks, int from, int to, string file, string section)
    {
        foreach (var (heading, start, end) in Subsections(blocks, from, to, file, section))
        {
            CheckPlaceholder(heading.Text, file, heading.Line);
            var type = new TypeHelp(MarkdownBlocks.Inline(heading.Text));
            type.Description.AddRange(Paragraphs(blocks, start, end, file));
            types.Add(type);
        }
    }

    private static readonly Regex LinkLine = new Regex(@"^\[([^\]]+)\]\(([^)]*)\)$");

    private static void ReadLinks(CommandHelp help, List<Block> blocks, int from, int to, string file)
    {
        for (var i = from; i < to; i++)
        {
            var b = blocks[i];
            // platyPS links sit one per line; the block parser joins adjacent lines, so split them again.
            var pieces = b.Kind == BlockKind.Paragraph || b.Kind == BlockKind.ListItem
                ? Regex.Matches(b.Text, @"\[[^\]]+\]\([^)]*\)").Cast<Match>().Select(m => m.Value).ToList()
                : new List<string>();
            var rest = b.Kind == BlockKind.Paragraph || b.Kind == BlockKind.ListItem
                ? Regex.Replace(b.Text, @"\[[^\]]+\]\([^)]*\)", "").Trim()
                : b.Text;
            if (pieces.Count == 0 || rest.Length > 0)
            {
                throw new HelpDocumentException(file, b.Line,
                    $"'## RELATED LINKS' takes only lines of the form [text](uri), not \"{Shorten(b.Text)}\"");
            }

            foreach (var piece in pieces)
            {
                var m = LinkLine.Match(piece);
                var uri = m.Groups[2].Value.Trim();
                help.Links.Add(new RelatedLink(m.Groups[1].Value.Trim(), MarkdownBlocks.IsAbsoluteWebUri(uri) ? uri : ""));
            }
        }
    }

    private static void CheckParameterSets(CommandHelp help, string file)
    {
        foreach (var p in help.Parameters)
        {
            foreach (var meta in p.Metadata)
            {
                foreach (var set in meta.ParameterSets)
                {
                    if (help.ParameterSets.Count > 0 &&
                        !help.ParameterSets.Any(s => string.Equals(s.Name, set, StringComparison.OrdinalIgnoreCase)))
                    {
                        throw new HelpDocumentException(file, 0,
                            $"parameter -{p.Name} names parameter set '{set}', which '## SYNTAX' does not list");
                    }
                }
            }
        }
    }
}

/// <summary>Writes the MAML that PowerShell's help system reads (helpItems schema="maml").</summary>
public static class MamlWriter
{
    public static readonly XNamespace Msh = "http://msh";
    public static readonly XNamespace Maml = "http://schemas.microsoft.com/maml/2004/10";
    public static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    public static readonly XNamespace Dev = "http://schemas.microsoft.com/maml/dev/2004/10";
    public static readonly XNamespace MSHelp = "http://msdn.microsoft.com/mshelp";

    public static XDocument ToDocument(IEnumerable<CommandHelp> commands) =>
        new XDocument(
            new XDeclaration("1.0", "utf-8", null),
            new XElement(Msh + "helpItems",
                new XAttribute("schema", "maml"),
                new XAttribute(XNamespace.Xmlns + "maml", Maml),
                new XAttribute(XNamespace.Xmlns + "command", Command),
                new XAttribute(XNamespace.Xmlns + "dev", Dev),
                new XAttribute(XNamespace.Xmlns + "MSHelp", MSHelp),
                commands.Select(ToElement)));

    public static string ToText(IEnumerable<CommandHelp> commands)
    {
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), NewLineChars = "\n" };
        using var stream = new MemoryStream();
        using (var writer = XmlWriter.Create(stream, settings))
        {
            ToDocument(commands).Save(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static XElement ToElement(CommandHelp help)
    {
        var command = new XElement(Command + "command",
            new XElement(Command + "details",
                new XElement(Command + "name", help.Name),
                new XElement(Command + "verb", help.Verb),
                new XElement(Command + "noun", help.Noun),
                Description(Maml + "description", help.Synopsis)),
            Description(Maml + "description", help.Description),
            new XElement(Command + "syntax", SyntaxItems(help)),
            new XElement(Command + "parameters", help.Parameters.Select(p => Parameter(p, p.Metadata[0], inSyntax: false))),
            new XElement(Command + "inputTypes", help.Inputs.Select(t => TypeElement(Command + "inputType", t))),
            new XElement(Command + "returnValues", help.Outputs.Select(t => TypeElement(Command + "returnValue", t))),
            new XElement(Maml + "alertSet", new XElement(Maml + "alert", Paras(help.Notes))),
            new XElement(Command + "examples", help.Examples.Select(Example)),
            new XElement(Command + "relatedLinks", Links(help)));
        return command;
    }

    private static XElement Description(XName name, IEnumerable<string> paras) => new XElement(name, Paras(paras));

    private static IEnumerable<XElement> Paras(IEnumerable<string> paras) => paras.Select(p => new XElement(Maml + "para", p));

    private static IEnumerable<XElement> SyntaxItems(CommandHelp help)
    {
        var sets = help.ParameterSets.Where(s => !string.Equals(s.Name, "__AllParameterSets", StringComparison.OrdinalIgnoreCase)).ToList();
        if (sets.Count == 0)
        {
            sets.Add(new ParameterSetHelp("__AllParameterSets", true));
        }

        // The default set first, as Get-Command -Syntax lists it.
        foreach (var set in sets.Where(s => s.IsDefault).Concat(sets.Where(s => !s.IsDefault)))
        {
            var members = new List<(ParameterHelp Parameter, ParameterMetadata Meta, int Order)>();
            for (var i = 0; i < help.Parameters.Count; i++)
            {
                var p = help.Parameters[i];
                var meta = p.Metadata.FirstOrDefault(m => m.AppliesTo(set.Name));
                if (meta != null)
                {
                    members.Add((p, meta, i));
                }
            }

            // Positional parameters by position, then mandatory named ones, then the rest, each in page order:
            // the order PowerShell's own syntax lines use.
            var ordered = members
                .OrderBy(m => m.Meta.Position == "Named" ? 1 : 0)
                .ThenBy(m => m.Meta.Position == "Named" ? 0 : int.Parse(m.Meta.Position, CultureInfo.InvariantCulture))
                .ThenBy(m => m.Meta.Required ? 0 : 1)
                .ThenBy(m => m.Order);
            yield return new XElement(Command + "syntaxItem",
                new XElement(Maml + "name", help.Name),
                ordered.Select(m => Parameter(m.Parameter, m.Meta, inSyntax: true)));
        }
    }

    private static XElement Parameter(ParameterHelp p, ParameterMetadata meta, bool inSyntax)
    {
        var type = meta.IsSwitch ? "SwitchParameter" : meta.Type;
        var element = new XElement(Command + "parameter",
            new XAttribute("required", Lower(meta.Required)),
            new XAttribute("variableLength", Lower(type.EndsWith("[]", StringComparison.Ordinal))),
            new XAttribute("globbing", Lower(meta.Globbing)),
            new XAttribute("pipelineInput", meta.PipelineInput),
            new XAttribute("position", meta.Position == "Named" ? "named" : meta.Position),
            new XAttribute("aliases", meta.Aliases.Count > 0 ? string.Join(", ", meta.Aliases) : "none"),
            new XElement(Maml + "name", p.Name),
            Description(Maml + "description", p.Description));
        if (inSyntax && meta.AcceptedValues.Count > 0)
        {
            element.Add(new XElement(Command + "parameterValueGroup",
                meta.AcceptedValues.Select(v => new XElement(Command + "parameterValue",
                    new XAttribute("required", "false"), new XAttribute("variableLength", "false"), v))));
        }

        // A switch takes no value, so syntax shows none; the parameters list still names its type.
        if (!(inSyntax && meta.IsSwitch))
        {
            element.Add(new XElement(Command + "parameterValue",
                new XAttribute("required", Lower(!meta.IsSwitch)),
                new XAttribute("variableLength", Lower(type.EndsWith("[]", StringComparison.Ordinal))),
                type));
        }

        element.Add(new XElement(Dev + "type", new XElement(Maml + "name", type), new XElement(Maml + "uri")));
        element.Add(new XElement(Dev + "defaultValue", meta.DefaultValue));
        return element;
    }

    private static string Lower(bool value) => value ? "true" : "false";

    private static XElement TypeElement(XName name, TypeHelp type) =>
        new XElement(name,
            new XElement(Dev + "type", new XElement(Maml + "name", type.TypeName)),
            Description(Maml + "description", type.Description));

    private static XElement Example(ExampleHelp example)
    {
        var element = new XElement(Command + "example",
            new XElement(Maml + "title", "---------- " + example.Title + " ----------"));
        if (example.Introduction.Count > 0)
        {
            element.Add(new XElement(Maml + "introduction", Paras(example.Introduction)));
        }

        element.Add(new XElement(Dev + "code", example.Code));
        element.Add(new XElement(Dev + "remarks", Paras(example.Remarks)));
        return element;
    }

    private static IEnumerable<XElement> Links(CommandHelp help)
    {
        // Get-Help -Online opens the first absolute link; platyPS puts the page's online version there.
        var links = new List<RelatedLink>();
        if (help.OnlineVersion != null)
        {
            links.Add(new RelatedLink("Online Version:", help.OnlineVersion));
        }

        links.AddRange(help.Links);
        return links.Select(l => new XElement(Maml + "navigationLink",
            new XElement(Maml + "linkText", l.Text),
            new XElement(Maml + "uri", l.Uri)));
    }
}

/// <summary>Turns an about_*.md page into the plain-text about_*.help.txt that Get-Help shows.</summary>
public static class AboutTopicWriter
{
    private const int Width = 80;

    public static string Convert(string markdown, string file)
    {
        var lines = PlatyPsMarkdown.SplitLines(markdown);
        var start = 0;
        if (PlatyPsMarkdown.ReadFrontMatter(lines, out var bodyStart) != null)
        {
            start = bodyStart;
        }

        var body = new List<string>();
        for (var i = start; i < lines.Length; i++)
        {
            body.Add(lines[i]);
        }

        var blocks = MarkdownBlocks.Parse(body, start + 1, file);
        var topic = Path.GetFileNameWithoutExtension(file);
        if (blocks.Count == 0 || blocks[0].Kind != BlockKind.Heading || blocks[0].Level != 1 ||
            !string.Equals(blocks[0].Text, topic, StringComparison.OrdinalIgnoreCase))
        {
            throw new HelpDocumentException(file, blocks.Count > 0 ? blocks[0].Line : 1, $"an about topic starts with '# {topic}'");
        }

        // Get-Help takes the fifth line of an about file as the topic's synopsis, so this header is fixed.
        var shortIndex = blocks.FindIndex(b => b.Kind == BlockKind.Heading && b.Level <= 2 &&
            string.Equals(b.Text, "Short description", StringComparison.OrdinalIgnoreCase));
        if (shortIndex < 0 || shortIndex + 1 >= blocks.Count || blocks[shortIndex + 1].Kind != BlockKind.Paragraph)
        {
            throw new HelpDocumentException(file, 0, "an about topic needs '## Short description' followed by one paragraph");
        }

        var sb = new StringBuilder();
        sb.Append("TOPIC\n    ").Append(blocks[0].Text).Append("\n\n");
        sb.Append("SHORT DESCRIPTION\n    ").Append(MarkdownBlocks.Inline(blocks[shortIndex + 1].Text)).Append('\n');
        Block? previous = null;
        for (var i = 1; i < blocks.Count; i++)
        {
            if (i == shortIndex || i == shortIndex + 1)
            {
                continue;
            }

            var b = blocks[i];
            // Consecutive list items read as one list and text follows its heading directly; every other block is
            // set off by a blank line.
            var joined = (b.Kind == BlockKind.ListItem && previous?.Kind == BlockKind.ListItem) ||
                (b.Kind != BlockKind.Heading && previous?.Kind == BlockKind.Heading);
            if (!joined)
            {
                sb.Append('\n');
            }

            previous = b;
            switch (b.Kind)
            {
                case BlockKind.Heading when b.Level <= 2:
                    sb.Append(b.Text.ToUpperInvariant()).Append('\n');
                    break;
                case BlockKind.Heading:
                    sb.Append(new string(' ', 2 * (b.Level - 2))).Append(MarkdownBlocks.Inline(b.Text)).Append('\n');
                    break;
                case BlockKind.Paragraph:
                    Wrap(sb, MarkdownBlocks.Inline(b.Text), "    ", "    ");
                    break;
                case BlockKind.ListItem:
                    var marker = b.Info == "-" ? "- " : b.Info + " ";
                    var indent = new string(' ', 4 + 2 * (b.Level / 2));
                    Wrap(sb, MarkdownBlocks.Inline(b.Text), indent + marker, indent + new string(' ', marker.Length));
                    break;
                case BlockKind.Code:
                case BlockKind.Table:
                    foreach (var line in b.Text.Split('\n'))
                    {
                        sb.Append(line.Length == 0 ? "" : "        " + line).Append('\n');
                    }

                    break;
            }
        }

        return Regex.Replace(sb.ToString(), "\n{3,}", "\n\n").TrimEnd('\n') + "\n";
    }

    private static void Wrap(StringBuilder sb, string text, string firstIndent, string nextIndent)
    {
        var words = text.Split(' ').Where(w => w.Length > 0);
        var line = new StringBuilder(firstIndent);
        var empty = true;
        foreach (var word in words)
        {
            if (!empty && line.Length + 1 + word.Length > Width)
            {
                sb.Append(line.ToString().TrimEnd()).Append('\n');
                line.Clear().Append(nextIndent);
                empty = true;
            }

            if (!empty)
            {
                line.Append(' ');
            }

            line.Append(word);
            empty = false;
        }

        sb.Append(line.ToString().TrimEnd()).Append('\n');
    }
}

/// <summary>The outcome of converting a docs folder.</summary>
public sealed class HelpBuildResult
{
    public List<CommandHelp> Commands { get; } = new List<CommandHelp>();
    public List<string> AboutTopics { get; } = new List<string>();
    public List<string> Skipped { get; } = new List<string>();
    public List<HelpDocumentException> Errors { get; } = new List<HelpDocumentException>();
    public List<string> Written { get; } = new List<string>();
}

/// <summary>docs/*.md → &lt;outDir&gt;/&lt;helpFileName&gt; and &lt;outDir&gt;/about_*.help.txt.</summary>
public static class HelpBuilder
{
    /// <summary>Pages in docs/ that are documentation for people, not Get-Help sources.</summary>
    public static readonly string[] NotHelp = { "README.md", "performance.md", "reliability.md" };

    public static HelpBuildResult Build(string docsDirectory, string outputDirectory, string helpFileName)
    {
        var result = new HelpBuildResult();
        var files = Directory.GetFiles(docsDirectory, "*.md").OrderBy(f => f, StringComparer.Ordinal).ToList();
        var abouts = new List<(string Name, string Text)>();
        foreach (var path in files)
        {
            var name = Path.GetFileName(path);
            var display = Path.Combine(Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) ?? "", name);
            if (NotHelp.Any(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase)))
            {
                result.Skipped.Add(display);
                continue;
            }

            try
            {
                var text = File.ReadAllText(path);
                if (name.StartsWith("about_", StringComparison.OrdinalIgnoreCase))
                {
                    abouts.Add((Path.GetFileNameWithoutExtension(name), AboutTopicWriter.Convert(text, display)));
                }
                else if (PlatyPsMarkdown.IsCommandPage(text))
                {
                    var help = PlatyPsMarkdown.Parse(text, display);
                    if (!string.Equals(help.Name + ".md", name, StringComparison.OrdinalIgnoreCase))
                    {
                        throw new HelpDocumentException(display, 0, $"'# {help.Name}' belongs in {help.Name}.md");
                    }

                    result.Commands.Add(help);
                }
                else
                {
                    result.Skipped.Add(display);
                }
            }
            catch (HelpDocumentException e)
            {
                result.Errors.Add(e);
            }
        }

        if (result.Errors.Count > 0)
        {
            return result;
        }

        Directory.CreateDirectory(outputDirectory);
        // Outputs of an earlier build whose source page is gone must not linger in the module.
        foreach (var stale in Directory.GetFiles(outputDirectory, "about_*.help.txt"))
        {
            File.Delete(stale);
        }

        var maml = Path.Combine(outputDirectory, helpFileName);
        File.WriteAllText(maml, MamlWriter.ToText(result.Commands), new UTF8Encoding(false));
        result.Written.Add(maml);
        foreach (var (topic, text) in abouts)
        {
            var target = Path.Combine(outputDirectory, topic + ".help.txt");
            File.WriteAllText(target, text, new UTF8Encoding(false));
            result.Written.Add(target);
            result.AboutTopics.Add(topic);
        }

        return result;
    }
}

#if !CALLRECORDS_HELPGEN_LIBRARY
/// <summary>The MSBuild face of <see cref="HelpBuilder"/>; errors point at the markdown file and line.</summary>
public sealed class GenerateModuleHelp : Microsoft.Build.Utilities.Task
{
    [Microsoft.Build.Framework.Required]
    public string DocsDirectory { get; set; } = "";

    [Microsoft.Build.Framework.Required]
    public string OutputDirectory { get; set; } = "";

    [Microsoft.Build.Framework.Required]
    public string HelpFileName { get; set; } = "";

    public override bool Execute()
    {
        HelpBuildResult result;
        try
        {
            result = HelpBuilder.Build(DocsDirectory, OutputDirectory, HelpFileName);
        }
        catch (IOException e)
        {
            Log.LogError("help: {0}", e.Message);
            return false;
        }

        foreach (var error in result.Errors)
        {
            Log.LogError("Help", "CRHELP001", null, Path.Combine(DocsDirectory, Path.GetFileName(error.File)),
                error.Line, 0, 0, 0, "{0}", error.Problem);
        }

        if (result.Errors.Count > 0)
        {
            return false;
        }

        Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal,
            "help: {0} command page(s), {1} about topic(s) → {2}", result.Commands.Count, result.AboutTopics.Count, OutputDirectory);
        return true;
    }
}
#endif
