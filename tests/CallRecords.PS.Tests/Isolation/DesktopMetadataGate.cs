using System.Collections.Immutable;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Reflection.PortableExecutable;

namespace CallRecords.PS.Tests.Isolation;

/// <summary>
/// Issue #22's check of what Windows PowerShell 5.1 would load, done by reading metadata only (nothing is loaded or
/// run): every DLL of the desktop folder, and the root assembly, against the .NET Framework 4.8 reference assemblies
/// (Microsoft.NETFramework.ReferenceAssemblies.net48) and the folder itself. A finding is one of:
/// <list type="bullet">
/// <item><c>Unsatisfied</c>: an assembly reference that neither the framework (in at least the version asked for, same
/// public key) nor the folder has;</item>
/// <item><c>TooOld</c>: the folder has the name, in a lower version than a reference asks for (or with another key);</item>
/// <item><c>Stub</c>: a PlatformNotSupported stub (a package's netstandard2.0 placeholder whose members only throw);</item>
/// <item><c>RootTypeTouchesNonFramework</c>: an exported type of the root assembly whose base type, interfaces,
/// attributes or public/protected member signatures name a type from an assembly that is neither the framework's nor
/// the PowerShell engine's — 5.1 reads exported types at Import-Module, before the module's resolver can help.</item>
/// <item><c>CoreOnlyNotConfined</c>: the root's one reference that only PowerShell 7 satisfies (System.Runtime.Loader,
/// for the module's AssemblyLoadContext) is named outside the code 5.1 never compiles: a method that names it, or a
/// type derived from it, must be <c>[MethodImpl(NoInlining)]</c> or belong to a non-exported type derived from it.</item>
/// </list>
/// </summary>
internal static class DesktopMetadataGate
{
    /// <summary>Provided by Windows PowerShell itself (the GAC), not by .NET Framework's reference assemblies.</summary>
    public static readonly IReadOnlyDictionary<string, Version> HostAssemblies = new Dictionary<string, Version>(StringComparer.OrdinalIgnoreCase)
    {
        ["System.Management.Automation"] = new(3, 0, 0, 0),
        ["Microsoft.Management.Infrastructure"] = new(1, 0, 0, 0),
    };

    /// <summary>References of the root assembly that only PowerShell 7 satisfies; allowed when confined (above).</summary>
    public static readonly IReadOnlySet<string> RootCoreOnly = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "System.Runtime.Loader" };

    public sealed record Finding(string Assembly, string Kind, string Message)
    {
        public override string ToString() => $"{Kind}: {Assembly}: {Message}";
    }

    public sealed record Identity(string Name, Version Version, string PublicKeyToken, string Path);

    public sealed record Report(IReadOnlyList<Finding> Findings, IReadOnlyList<string> Checked, int References);

    /// <param name="framework">The reference assemblies folder (…/build/.NETFramework/v4.8); its Facades/ is read too.</param>
    /// <param name="folder">The desktop folder (out/CallRecords/bin/desktop).</param>
    /// <param name="root">The root assembly (out/CallRecords/CallRecords.dll): its references must be satisfied the same
    /// way, and its exported types may touch only the framework and the engine.</param>
    public static Report Check(string framework, string folder, string root)
    {
        var frameworkIndex = Index(Directory.GetFiles(framework, "*.dll").Concat(Directory.GetFiles(Path.Combine(framework, "Facades"), "*.dll")));
        var folderIndex = Index(Directory.GetFiles(folder, "*.dll"));
        var rootIdentity = Read(root);
        var findings = new List<Finding>();
        var references = 0;
        var shipped = folderIndex.Values.Select(i => i.Path).Append(root).ToList();
        foreach (var path in shipped)
        {
            using var pe = new PEReader(File.OpenRead(path));
            var md = pe.GetMetadataReader();
            var self = md.GetString(md.GetAssemblyDefinition().Name);
            if (IsPlatformNotSupportedStub(pe, md, out var thrown, out var bodies))
                findings.Add(new Finding(self, "Stub", $"{thrown} of {bodies} method bodies throw PlatformNotSupportedException ({path})"));
            foreach (var handle in md.AssemblyReferences)
            {
                references++;
                var reference = md.GetAssemblyReference(handle);
                var name = md.GetString(reference.Name);
                var version = reference.Version;
                var token = Token(md, reference.PublicKeyOrToken, (reference.Flags & AssemblyFlags.PublicKey) != 0);
                if (HostAssemblies.TryGetValue(name, out var host) && host >= version) continue;
                if (path == root && RootCoreOnly.Contains(name)) continue; // checked by CoreOnlyNotConfined
                if (string.Equals(name, rootIdentity.Name, StringComparison.OrdinalIgnoreCase))
                {
                    if (rootIdentity.Version < version) findings.Add(new Finding(self, "TooOld", $"references {name} {version}; the root assembly is {rootIdentity.Version}"));
                    continue;
                }
                if (frameworkIndex.TryGetValue(name, out var fx) && fx.Version >= version && SameKey(fx.PublicKeyToken, token)) continue;
                if (folderIndex.TryGetValue(name, out var ours))
                {
                    if (ours.Version < version)
                        findings.Add(new Finding(self, "TooOld", $"references {name} {version}; the folder has {ours.Version}" + (fx is null ? "" : $" and .NET Framework 4.8 has {fx.Version}")));
                    else if (!SameKey(ours.PublicKeyToken, token))
                        findings.Add(new Finding(self, "TooOld", $"references {name} {version} with public key token {Show(token)}; the folder's copy has {Show(ours.PublicKeyToken)}"));
                    continue;
                }
                findings.Add(new Finding(self, "Unsatisfied", fx is null
                    ? $"references {name} {version}, which neither .NET Framework 4.8 nor the folder has"
                    : $"references {name} {version} ({Show(token)}); .NET Framework 4.8 has only {fx.Version} ({Show(fx.PublicKeyToken)}) and the folder has none"));
            }
        }
        findings.AddRange(RootTypesTouchingNonFramework(root, frameworkIndex));
        findings.AddRange(CoreOnlyNotConfined(pe: root));
        return new Report(findings, shipped, references);
    }

    public static Identity Read(string path)
    {
        using var pe = new PEReader(File.OpenRead(path));
        var md = pe.GetMetadataReader();
        var def = md.GetAssemblyDefinition();
        return new Identity(md.GetString(def.Name), def.Version, Token(md, def.PublicKey, isFullKey: true), path);
    }

    private static Dictionary<string, Identity> Index(IEnumerable<string> files)
    {
        var index = new Dictionary<string, Identity>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in files)
        {
            using var pe = new PEReader(File.OpenRead(file));
            if (!pe.HasMetadata) continue;
            var md = pe.GetMetadataReader();
            if (!md.IsAssembly) continue;
            var id = Read(file);
            // The framework's Facades/ never repeats a name of the main folder; keep the higher version if it did.
            if (!index.TryGetValue(id.Name, out var have) || have.Version < id.Version) index[id.Name] = id;
        }
        return index;
    }

    /// <summary>A public key token as hex ("" when the name is not strong-named); a full key is hashed as the runtime
    /// does (last 8 bytes of its SHA-1, reversed).</summary>
    private static string Token(MetadataReader md, BlobHandle blob, bool isFullKey)
    {
        if (blob.IsNil) return "";
        var bytes = md.GetBlobBytes(blob);
        if (bytes.Length == 0) return "";
        if (isFullKey)
        {
            var hash = System.Security.Cryptography.SHA1.HashData(bytes);
            bytes = hash.Skip(hash.Length - 8).Reverse().ToArray();
        }
        return Convert.ToHexString(bytes).ToLowerInvariant();
    }

    private static bool SameKey(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static string Show(string token) => token.Length == 0 ? "not strong-named" : token;

    /// <summary>
    /// The packages' netstandard2.0 placeholders for Windows-only APIs are generated: every public member's body is
    /// <c>throw new PlatformNotSupportedException(…)</c> (what does not throw is internal: resource strings, attributes).
    /// A real assembly may throw it in a few places (an option the platform lacks), never in most of its public API.
    /// Counted over the method bodies of the public surface (public or protected members of exported types).
    /// </summary>
    public static bool IsPlatformNotSupportedStub(PEReader pe, MetadataReader md, out int throwing, out int bodies)
    {
        throwing = 0;
        bodies = 0;
        var ctors = new HashSet<EntityHandle>();
        foreach (var handle in md.MemberReferences)
        {
            var member = md.GetMemberReference(handle);
            if (member.Parent.Kind == HandleKind.TypeReference && md.GetString(member.Name) == ".ctor")
            {
                var type = md.GetTypeReference((TypeReferenceHandle)member.Parent);
                if (md.GetString(type.Name) == "PlatformNotSupportedException" && md.GetString(type.Namespace) == "System") ctors.Add(handle);
            }
        }
        foreach (var typeHandle in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(typeHandle);
            if (!IsExported(md, type)) continue;
            foreach (var handle in type.GetMethods())
            {
                var method = md.GetMethodDefinition(handle);
                if (method.RelativeVirtualAddress == 0 || !IsVisible(md, handle)) continue;
                bodies++;
                if (ctors.Count > 0 && Constructs(pe.GetMethodBody(method.RelativeVirtualAddress).GetILReader(), ctors)) throwing++;
            }
        }
        return throwing > 0 && throwing * 2 > bodies;
    }

    private static bool Constructs(BlobReader il, HashSet<EntityHandle> ctors)
    {
        while (il.RemainingBytes > 0)
        {
            var op = ReadOpCode(ref il);
            if (op == ILOpCode.Newobj)
            {
                var token = il.ReadInt32();
                if (ctors.Contains(MetadataTokens.EntityHandle(token))) return true;
                continue;
            }
            SkipOperand(ref il, op);
        }
        return false;
    }

    private static ILOpCode ReadOpCode(ref BlobReader il)
    {
        var b = il.ReadByte();
        return b == 0xFE ? (ILOpCode)(0xFE00 | il.ReadByte()) : (ILOpCode)b;
    }

    private static void SkipOperand(ref BlobReader il, ILOpCode op)
    {
        switch (op)
        {
            case ILOpCode.Switch:
                var n = il.ReadInt32();
                il.Offset += 4 * n;
                return;
            case ILOpCode.Ldc_i8:
            case ILOpCode.Ldc_r8:
                il.Offset += 8;
                return;
        }
        if (op.IsBranch())
        {
            il.Offset += op.GetBranchOperandSize();
            return;
        }
        il.Offset += op switch
        {
            ILOpCode.Ldarg_s or ILOpCode.Ldarga_s or ILOpCode.Starg_s or ILOpCode.Ldloc_s or ILOpCode.Ldloca_s or ILOpCode.Stloc_s
                or ILOpCode.Ldc_i4_s or ILOpCode.Unaligned => 1,
            ILOpCode.Ldarg or ILOpCode.Ldarga or ILOpCode.Starg or ILOpCode.Ldloc or ILOpCode.Ldloca or ILOpCode.Stloc => 2,
            ILOpCode.Ldc_i4 or ILOpCode.Ldc_r4 or ILOpCode.Ldstr or ILOpCode.Call or ILOpCode.Callvirt or ILOpCode.Calli or ILOpCode.Jmp
                or ILOpCode.Newobj or ILOpCode.Ldfld or ILOpCode.Ldflda or ILOpCode.Stfld or ILOpCode.Ldsfld or ILOpCode.Ldsflda or ILOpCode.Stsfld
                or ILOpCode.Ldtoken or ILOpCode.Ldftn or ILOpCode.Ldvirtftn or ILOpCode.Box or ILOpCode.Unbox or ILOpCode.Unbox_any
                or ILOpCode.Castclass or ILOpCode.Isinst or ILOpCode.Newarr or ILOpCode.Ldelema or ILOpCode.Ldelem or ILOpCode.Stelem
                or ILOpCode.Ldobj or ILOpCode.Stobj or ILOpCode.Cpobj or ILOpCode.Initobj or ILOpCode.Mkrefany or ILOpCode.Refanyval
                or ILOpCode.Sizeof or ILOpCode.Constrained => 4,
            _ => 0,
        };
    }

    /// <summary>Exported types of the root and every type they name in their shape (base, interfaces, custom attributes,
    /// generic constraints, public/protected fields, properties, events, method signatures): each must come from the
    /// framework or the engine.</summary>
    private static IEnumerable<Finding> RootTypesTouchingNonFramework(string root, IReadOnlyDictionary<string, Identity> framework)
    {
        using var pe = new PEReader(File.OpenRead(root));
        var md = pe.GetMetadataReader();
        var self = md.GetString(md.GetAssemblyDefinition().Name);
        var provider = new AssemblyCollector(md);
        var findings = new List<Finding>();
        foreach (var handle in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(handle);
            if (!IsExported(md, type)) continue;
            var typeName = FullName(md, type);
            var touched = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            void Add(EntityHandle h) { if (!h.IsNil) touched.UnionWith(provider.AssembliesOf(h)); }
            void Attributes(CustomAttributeHandleCollection attributes)
            {
                foreach (var a in attributes) Add(AttributeType(md, md.GetCustomAttribute(a)));
            }
            Add(type.BaseType);
            foreach (var i in type.GetInterfaceImplementations()) Add(md.GetInterfaceImplementation(i).Interface);
            Attributes(type.GetCustomAttributes());
            foreach (var g in type.GetGenericParameters())
                foreach (var c in md.GetGenericParameter(g).GetConstraints()) Add(md.GetGenericParameterConstraint(c).Type);
            foreach (var f in type.GetFields())
            {
                var field = md.GetFieldDefinition(f);
                var access = field.Attributes & FieldAttributes.FieldAccessMask;
                if (access is not (FieldAttributes.Public or FieldAttributes.Family or FieldAttributes.FamORAssem)) continue;
                touched.UnionWith(field.DecodeSignature(provider, null));
                Attributes(field.GetCustomAttributes());
            }
            foreach (var m in type.GetMethods())
            {
                var method = md.GetMethodDefinition(m);
                var access = method.Attributes & MethodAttributes.MemberAccessMask;
                if (access is not (MethodAttributes.Public or MethodAttributes.Family or MethodAttributes.FamORAssem)) continue;
                var sig = method.DecodeSignature(provider, null);
                touched.UnionWith(sig.ReturnType);
                foreach (var p in sig.ParameterTypes) touched.UnionWith(p);
                Attributes(method.GetCustomAttributes());
                foreach (var p in method.GetParameters()) Attributes(md.GetParameter(p).GetCustomAttributes());
            }
            foreach (var p in type.GetProperties())
            {
                var property = md.GetPropertyDefinition(p);
                var accessors = property.GetAccessors();
                if (!IsVisible(md, accessors.Getter) && !IsVisible(md, accessors.Setter)) continue;
                var sig = property.DecodeSignature(provider, null);
                touched.UnionWith(sig.ReturnType);
                foreach (var pt in sig.ParameterTypes) touched.UnionWith(pt);
                Attributes(property.GetCustomAttributes());
            }
            foreach (var e in type.GetEvents())
            {
                var ev = md.GetEventDefinition(e);
                if (!IsVisible(md, ev.GetAccessors().Adder)) continue;
                Add(ev.Type);
            }
            foreach (var name in touched)
            {
                if (string.Equals(name, self, StringComparison.OrdinalIgnoreCase) || HostAssemblies.ContainsKey(name) || framework.ContainsKey(name)) continue;
                findings.Add(new Finding(self, "RootTypeTouchesNonFramework", $"exported type {typeName} uses a type from {name}, which .NET Framework 4.8 does not have"));
            }
        }
        return findings;
    }

    /// <summary>Where the root names <see cref="RootCoreOnly"/> assemblies: only in types derived from their types (not
    /// exported) and in NoInlining methods, so .NET Framework never loads or compiles anything that needs them.</summary>
    internal static IEnumerable<Finding> CoreOnlyNotConfined(string pe)
    {
        using var reader = new PEReader(File.OpenRead(pe));
        var md = reader.GetMetadataReader();
        var self = md.GetString(md.GetAssemblyDefinition().Name);
        bool CoreOnlyRef(TypeReferenceHandle h)
        {
            var r = md.GetTypeReference(h);
            return r.ResolutionScope.Kind switch
            {
                HandleKind.AssemblyReference => RootCoreOnly.Contains(md.GetString(md.GetAssemblyReference((AssemblyReferenceHandle)r.ResolutionScope).Name)),
                HandleKind.TypeReference => CoreOnlyRef((TypeReferenceHandle)r.ResolutionScope),
                _ => false,
            };
        }
        // Types of ours derived (directly or through ours) from a core-only type.
        var coreTypes = new HashSet<TypeDefinitionHandle>();
        bool changed;
        do
        {
            changed = false;
            foreach (var h in md.TypeDefinitions)
            {
                if (coreTypes.Contains(h)) continue;
                var baseType = md.GetTypeDefinition(h).BaseType;
                if ((baseType.Kind == HandleKind.TypeReference && CoreOnlyRef((TypeReferenceHandle)baseType)) ||
                    (baseType.Kind == HandleKind.TypeDefinition && coreTypes.Contains((TypeDefinitionHandle)baseType)))
                    changed = coreTypes.Add(h) | changed;
            }
        } while (changed);
        bool InCore(TypeDefinitionHandle h)
        {
            for (var t = h; !t.IsNil; t = md.GetTypeDefinition(t).GetDeclaringType())
                if (coreTypes.Contains(t)) return true;
            return false;
        }
        TouchProvider touch = null!;
        bool Touches(EntityHandle token) => token.Kind switch
        {
            HandleKind.TypeReference => CoreOnlyRef((TypeReferenceHandle)token),
            HandleKind.TypeDefinition => InCore((TypeDefinitionHandle)token),
            HandleKind.MethodDefinition => InCore(md.GetMethodDefinition((MethodDefinitionHandle)token).GetDeclaringType()),
            HandleKind.FieldDefinition => InCore(md.GetFieldDefinition((FieldDefinitionHandle)token).GetDeclaringType()),
            HandleKind.MemberReference => md.GetMemberReference((MemberReferenceHandle)token).Parent is var p &&
                (p.Kind is HandleKind.TypeReference or HandleKind.TypeDefinition or HandleKind.TypeSpecification) && Touches(p),
            HandleKind.MethodSpecification => Touches(md.GetMethodSpecification((MethodSpecificationHandle)token).Method),
            HandleKind.TypeSpecification => SpecTouches((TypeSpecificationHandle)token),
            _ => false,
        };
        touch = new TouchProvider(Touches);
        bool SpecTouches(TypeSpecificationHandle spec) => md.GetTypeSpecification(spec).DecodeSignature(touch, null);
        var findings = new List<Finding>();
        foreach (var h in md.TypeDefinitions)
        {
            var type = md.GetTypeDefinition(h);
            if (coreTypes.Contains(h) && IsExported(md, type))
                findings.Add(new Finding(self, "CoreOnlyNotConfined", $"exported type {FullName(md, type)} derives from a PowerShell 7-only type"));
            if (InCore(h)) continue;
            foreach (var m in type.GetMethods())
            {
                var method = md.GetMethodDefinition(m);
                if (method.RelativeVirtualAddress == 0 || (method.ImplAttributes & MethodImplAttributes.NoInlining) != 0) continue;
                var body = reader.GetMethodBody(method.RelativeVirtualAddress);
                var names = !body.LocalSignature.IsNil && md.GetStandaloneSignature(body.LocalSignature).DecodeLocalSignature(touch, null).Any(t => t);
                var il = body.GetILReader();
                while (!names && il.RemainingBytes > 0)
                {
                    var op = ReadOpCode(ref il);
                    if (HasTokenOperand(op))
                    {
                        var token = il.ReadInt32();
                        if (op != ILOpCode.Ldstr && Touches(MetadataTokens.EntityHandle(token))) names = true;
                        continue;
                    }
                    SkipOperand(ref il, op);
                }
                if (names)
                    findings.Add(new Finding(self, "CoreOnlyNotConfined",
                        $"{FullName(md, type)}.{md.GetString(method.Name)} names a PowerShell 7-only type ({string.Join(", ", RootCoreOnly)}) and is not [MethodImpl(NoInlining)]: .NET Framework would load it when compiling the method"));
            }
        }
        return findings;
    }

    private static bool HasTokenOperand(ILOpCode op) => op is ILOpCode.Ldstr or ILOpCode.Call or ILOpCode.Callvirt or ILOpCode.Calli or ILOpCode.Jmp
        or ILOpCode.Newobj or ILOpCode.Ldfld or ILOpCode.Ldflda or ILOpCode.Stfld or ILOpCode.Ldsfld or ILOpCode.Ldsflda or ILOpCode.Stsfld
        or ILOpCode.Ldtoken or ILOpCode.Ldftn or ILOpCode.Ldvirtftn or ILOpCode.Box or ILOpCode.Unbox or ILOpCode.Unbox_any
        or ILOpCode.Castclass or ILOpCode.Isinst or ILOpCode.Newarr or ILOpCode.Ldelema or ILOpCode.Ldelem or ILOpCode.Stelem
        or ILOpCode.Ldobj or ILOpCode.Stobj or ILOpCode.Cpobj or ILOpCode.Initobj or ILOpCode.Mkrefany or ILOpCode.Refanyval
        or ILOpCode.Sizeof or ILOpCode.Constrained;

    private static bool IsVisible(MetadataReader md, MethodDefinitionHandle handle)
    {
        if (handle.IsNil) return false;
        var access = md.GetMethodDefinition(handle).Attributes & MethodAttributes.MemberAccessMask;
        return access is MethodAttributes.Public or MethodAttributes.Family or MethodAttributes.FamORAssem;
    }

    private static bool IsExported(MetadataReader md, TypeDefinition type)
    {
        var visibility = type.Attributes & TypeAttributes.VisibilityMask;
        if (visibility == TypeAttributes.Public) return true;
        if (visibility is not (TypeAttributes.NestedPublic or TypeAttributes.NestedFamily or TypeAttributes.NestedFamORAssem)) return false;
        return IsExported(md, md.GetTypeDefinition(type.GetDeclaringType()));
    }

    private static string FullName(MetadataReader md, TypeDefinition type)
    {
        var name = md.GetString(type.Name);
        if (type.GetDeclaringType() is { IsNil: false } outer) return FullName(md, md.GetTypeDefinition(outer)) + "+" + name;
        var ns = md.GetString(type.Namespace);
        return ns.Length == 0 ? name : ns + "." + name;
    }

    private static EntityHandle AttributeType(MetadataReader md, CustomAttribute attribute) => attribute.Constructor.Kind switch
    {
        HandleKind.MemberReference => md.GetMemberReference((MemberReferenceHandle)attribute.Constructor).Parent,
        HandleKind.MethodDefinition => md.GetMethodDefinition((MethodDefinitionHandle)attribute.Constructor).GetDeclaringType(),
        _ => default,
    };

    /// <summary>Decodes a signature into whether it names a type the predicate picks.</summary>
    private sealed class TouchProvider : ISignatureTypeProvider<bool, object?>
    {
        private readonly Func<EntityHandle, bool> _touches;
        public TouchProvider(Func<EntityHandle, bool> touches) => _touches = touches;
        public bool GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => _touches(handle);
        public bool GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind) => _touches(handle);
        public bool GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
        public bool GetPrimitiveType(PrimitiveTypeCode typeCode) => false;
        public bool GetSZArrayType(bool elementType) => elementType;
        public bool GetArrayType(bool elementType, ArrayShape shape) => elementType;
        public bool GetByReferenceType(bool elementType) => elementType;
        public bool GetPointerType(bool elementType) => elementType;
        public bool GetPinnedType(bool elementType) => elementType;
        public bool GetGenericInstantiation(bool genericType, ImmutableArray<bool> typeArguments) => genericType || typeArguments.Any(t => t);
        public bool GetGenericMethodParameter(object? genericContext, int index) => false;
        public bool GetGenericTypeParameter(object? genericContext, int index) => false;
        public bool GetFunctionPointerType(MethodSignature<bool> signature) => signature.ReturnType || signature.ParameterTypes.Any(t => t);
        public bool GetModifiedType(bool modifier, bool unmodifiedType, bool isRequired) => unmodifiedType || (isRequired && modifier);
    }

    /// <summary>Decodes signatures into the set of assembly names they name (this assembly's own name for its types).</summary>
    private sealed class AssemblyCollector : ISignatureTypeProvider<ImmutableHashSet<string>, object?>
    {
        private static readonly ImmutableHashSet<string> None = ImmutableHashSet.Create<string>(StringComparer.OrdinalIgnoreCase);
        private readonly MetadataReader _md;
        private readonly ImmutableHashSet<string> _self;

        public AssemblyCollector(MetadataReader md)
        {
            _md = md;
            _self = None.Add(md.GetString(md.GetAssemblyDefinition().Name));
        }

        public ImmutableHashSet<string> AssembliesOf(EntityHandle handle) => handle.Kind switch
        {
            HandleKind.TypeDefinition => _self,
            HandleKind.TypeReference => GetTypeFromReference(_md, (TypeReferenceHandle)handle, 0),
            HandleKind.TypeSpecification => _md.GetTypeSpecification((TypeSpecificationHandle)handle).DecodeSignature(this, null),
            _ => None,
        };

        public ImmutableHashSet<string> GetTypeFromReference(MetadataReader reader, TypeReferenceHandle handle, byte rawTypeKind)
        {
            var reference = reader.GetTypeReference(handle);
            return reference.ResolutionScope.Kind switch
            {
                HandleKind.AssemblyReference => None.Add(reader.GetString(reader.GetAssemblyReference((AssemblyReferenceHandle)reference.ResolutionScope).Name)),
                HandleKind.TypeReference => GetTypeFromReference(reader, (TypeReferenceHandle)reference.ResolutionScope, rawTypeKind),
                _ => _self,
            };
        }

        public ImmutableHashSet<string> GetTypeFromDefinition(MetadataReader reader, TypeDefinitionHandle handle, byte rawTypeKind) => _self;
        public ImmutableHashSet<string> GetTypeFromSpecification(MetadataReader reader, object? genericContext, TypeSpecificationHandle handle, byte rawTypeKind) =>
            reader.GetTypeSpecification(handle).DecodeSignature(this, genericContext);
        public ImmutableHashSet<string> GetPrimitiveType(PrimitiveTypeCode typeCode) => None;
        public ImmutableHashSet<string> GetSZArrayType(ImmutableHashSet<string> elementType) => elementType;
        public ImmutableHashSet<string> GetArrayType(ImmutableHashSet<string> elementType, ArrayShape shape) => elementType;
        public ImmutableHashSet<string> GetByReferenceType(ImmutableHashSet<string> elementType) => elementType;
        public ImmutableHashSet<string> GetPointerType(ImmutableHashSet<string> elementType) => elementType;
        public ImmutableHashSet<string> GetPinnedType(ImmutableHashSet<string> elementType) => elementType;
        public ImmutableHashSet<string> GetGenericInstantiation(ImmutableHashSet<string> genericType, ImmutableArray<ImmutableHashSet<string>> typeArguments) =>
            typeArguments.Aggregate(genericType, (all, t) => all.Union(t));
        public ImmutableHashSet<string> GetGenericMethodParameter(object? genericContext, int index) => None;
        public ImmutableHashSet<string> GetGenericTypeParameter(object? genericContext, int index) => None;
        public ImmutableHashSet<string> GetFunctionPointerType(MethodSignature<ImmutableHashSet<string>> signature) =>
            signature.ParameterTypes.Aggregate(signature.ReturnType, (all, t) => all.Union(t));
        public ImmutableHashSet<string> GetModifiedType(ImmutableHashSet<string> modifier, ImmutableHashSet<string> unmodifiedType, bool isRequired) =>
            isRequired ? unmodifiedType.Union(modifier) : unmodifiedType;
    }
}
