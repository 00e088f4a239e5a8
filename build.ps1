<#
.SYNOPSIS
    Builds, tests, documents, packages and demonstrates the EnergyData module.
.DESCRIPTION
    Build    publishes the cmdlet assembly and lays out the module folder in out/EnergyData.
    Test     runs the xunit suite (dotnet test), then the Pester task.
    Pester   builds the module and its help, and runs the Pester 5 suites (tests/*.Tests.ps1) against it.
    Docs     turns docs/*.md (PlatyPS markdown) into MAML help in out/EnergyData/en-US and out/EnergyData.
    Package  publishes the module to a temporary local repository and installs it back from there.
    Demo     starts the emulator and runs Import-Csv | Get-EnelDebtStatus | Export-Csv on a sample file.
.EXAMPLE
    ./build.ps1 -Task Build, Test
.EXAMPLE
    ./build.ps1 -Task Demo
.EXAMPLE
    ./build.ps1 -Task Pester -NoHelp
    Where the PowerShell Gallery (and so PlatyPS) cannot be reached: no help is built and the tests tagged Help are
    left out. .ci/run does this.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Pester', 'Docs', 'Package', 'Demo')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    # Test and Pester: build no help and leave out the Pester tests tagged Help.
    [switch] $NoHelp
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleFolder = Join-Path $out 'EnergyData'
$staging = Join-Path $out 'staging'

# One exact PlatyPS: the layout of what Export-MamlCommandHelp writes has changed between its releases (see Docs).
$platyPSVersion = '1.0.3'

function Get-ModuleVersion {
    [xml] $props = Get-Content -Raw -Path (Join-Path $root 'Directory.Build.props')
    $prefix = $props.Project.PropertyGroup | ForEach-Object { $_.VersionPrefix } | Where-Object { $_ } | Select-Object -First 1
    if (-not $prefix) { throw 'VersionPrefix not found in Directory.Build.props' }
    return $prefix
}

function Invoke-Dotnet {
    # A simple function on purpose (no [Parameter], no [CmdletBinding]): an advanced one takes the common parameters,
    # and `-o` would then be an ambiguous prefix of -OutVariable and -OutBuffer instead of reaching dotnet.
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE" }
}

function ConvertTo-PSLiteral {
    # A single-quoted PowerShell literal of Text, for the scripts the child processes run.
    param([string] $Text)
    return "'" + ($Text -replace '[''\u2018\u2019\u201A\u201B]', '$0$0') + "'"
}

function Get-PowerShellPath {
    # This PowerShell's executable, found from $PSHOME rather than the current process (which may be a host such as
    # the ISE or an editor's, not a shell that takes -File).
    $name = if ($PSVersionTable.PSEdition -eq 'Core') { 'pwsh' } else { 'powershell.exe' }
    $path = Join-Path $PSHOME $name
    if ($PSVersionTable.PSEdition -eq 'Core' -and -not (Test-Path -LiteralPath $path)) { $path = Join-Path $PSHOME 'pwsh.exe' }
    return $path
}

function Invoke-ChildShell {
    # Runs Script in a new process of this same PowerShell (powershell.exe or pwsh): the module's dlls it loads are
    # released when it ends instead of staying loaded here (locked on Windows, stale for a later import). The script
    # goes through a file, so no native-argument quoting rule of either shell applies; its exit code is checked.
    param([string] $Name, [string] $Script)
    New-Item -ItemType Directory -Force -Path $out | Out-Null
    $path = Join-Path $out "$Name.child.ps1"
    Set-Content -Path $path -Value $Script -Encoding utf8
    try {
        & (Get-PowerShellPath) -NoProfile -NonInteractive -File $path | Out-Host
        if ($LASTEXITCODE -ne 0) { throw "$Name failed in a child PowerShell (exit code $LASTEXITCODE)." }
    }
    finally {
        Remove-Item -LiteralPath $path -Force -ErrorAction SilentlyContinue
    }
}

function Test-PSResourceGet {
    # Microsoft.PowerShell.PSResourceGet ships with PowerShell 7.4 and later; Windows PowerShell 5.1 has only
    # PowerShellGet (Install-Module, Register-PSRepository, Publish-Module, Save-Module) unless it was installed.
    return [bool] (Get-Command -Name Install-PSResource -ErrorAction SilentlyContinue)
}

function Enable-GalleryTls {
    # Windows PowerShell 5.1 on .NET Framework may offer only SSL 3 and TLS 1.0, which the PowerShell Gallery refuses
    # ("Unable to resolve package source"); the module's own fix applies only once it is imported, in a child process.
    # SystemDefault (0) leaves the choice to the OS; compared as a number, since .NET Framework before 4.7 has no
    # such member and strict mode would stop on it.
    $protocols = [Net.ServicePointManager]::SecurityProtocol
    if ([int] $protocols -ne 0 -and -not ($protocols -band [Net.SecurityProtocolType]::Tls12)) {
        [Net.ServicePointManager]::SecurityProtocol = $protocols -bor [Net.SecurityProtocolType]::Tls12
    }
}

function Import-PowerShellGet {
    # The packaging fallback for Windows PowerShell 5.1: PowerShellGet 2 or later, whose Publish-Module -Force
    # fetches nuget.exe (when missing) without asking; the NuGet provider is fetched unasked too.
    $powerShellGet = Get-Module -ListAvailable -Name PowerShellGet | Sort-Object -Property Version -Descending | Select-Object -First 1
    if ($null -eq $powerShellGet -or $powerShellGet.Version -lt [version]'2.0') {
        throw 'This task needs Microsoft.PowerShell.PSResourceGet (built into PowerShell 7.4 and later) or PowerShellGet 2: run it with pwsh 7.4+, or Install-Module PowerShellGet -MinimumVersion 2.2.5 -Scope CurrentUser -Force first.'
    }
    Enable-GalleryTls
    Get-PackageProvider -Name NuGet -ForceBootstrap | Out-Null
    Import-Module -Name PowerShellGet -MinimumVersion 2.0
}

function Install-BuildModule {
    param([string] $Name, [string] $RequiredVersion)
    Enable-GalleryTls
    if (Test-PSResourceGet) {
        Install-PSResource -Name $Name -Version "[$RequiredVersion]" -Scope CurrentUser -TrustRepository
    }
    else {
        # PowerShellGet, any version (Windows PowerShell 5.1 ships 1.0.0.1); the NuGet provider fetched unasked.
        Get-PackageProvider -Name NuGet -ForceBootstrap | Out-Null
        Install-Module -Name $Name -RequiredVersion $RequiredVersion -Scope CurrentUser -Force
    }
}

function Get-ReleaseNotes {
    param([string] $Version)
    # The changelog's section for this version, else the Unreleased one: the Gallery shows it as release notes. The
    # Gallery has refused release notes over 10,000 characters (a refused publish means no Install-Module), so a
    # longer section is cut at a line break and points to the full changelog, which the module folder also holds.
    $limit = 9000
    $changelogUrl = 'https://github.com/energydata/EnergyData/blob/main/CHANGELOG.md'
    $changelog = Get-Content -Raw -Path (Join-Path $root 'CHANGELOG.md')
    foreach ($heading in @([regex]::Escape("[$Version]"), '\[Unreleased\]')) {
        $section = [regex]::Match($changelog, "(?ms)^## $heading[^\n]*\n(?<body>.*?)(?=^## |\z)")
        if ($section.Success) {
            $body = $section.Groups['body'].Value.Trim()
            if ($body.Length -gt $limit) {
                $cut = $body.LastIndexOf([char]10, $limit)
                if ($cut -lt 1) { $cut = $limit }
                $body = $body.Substring(0, $cut).TrimEnd() + "`n`n(Abridged: the full list is in CHANGELOG.md, in the module folder and at $changelogUrl.)"
            }
            return $body
        }
    }
    return "See $changelogUrl"
}

function Invoke-BuildTask {
    foreach ($path in @($moduleFolder, $staging)) {
        if (Test-Path $path) { Remove-Item -Recurse -Force $path }
    }
    $projects = [ordered]@{
        module      = 'src/EnergyData/EnergyData.csproj'
        loader      = 'src/EnergyData.Loader/EnergyData.Loader.csproj'
        loadContext = 'src/EnergyData.LoadContext/EnergyData.LoadContext.csproj'
    }
    foreach ($name in $projects.Keys) {
        Invoke-Dotnet publish (Join-Path $root $projects[$name]) -c $Configuration -o (Join-Path $staging $name)
    }

    # The root holds what PowerShell loads by path: the cmdlets, the loader (a nested module imported first)
    # and the .NET 8 load context. Everything else goes to dependencies/, where only the loader resolves it,
    # so other modules in the session never see our copies (and we never see theirs).
    $dependencies = Join-Path $moduleFolder 'dependencies'
    New-Item -ItemType Directory -Force -Path $dependencies | Out-Null
    $rootAssemblies = @('EnergyData', 'EnergyData.Loader', 'EnergyData.LoadContext')
    foreach ($name in $projects.Keys) {
        foreach ($file in Get-ChildItem -Path (Join-Path $staging $name) -File | Where-Object { $_.Extension -in '.dll', '.pdb' }) {
            if ($file.BaseName -in $rootAssemblies) {
                Copy-Item -Path $file.FullName -Destination $moduleFolder -Force
            }
            elseif ($name -eq 'module') {
                Copy-Item -Path $file.FullName -Destination $dependencies -Force
            }
        }
    }

    # The manifest carries the version from Directory.Build.props and the release notes from the changelog.
    $version = Get-ModuleVersion
    $notes = (Get-ReleaseNotes -Version $version) -replace "'", "''"
    $manifest = Get-Content -Raw -Path (Join-Path $root 'EnergyData.psd1')
    $manifest = [regex]::Replace($manifest, "ModuleVersion\s*=\s*'[^']*'", { param($match) "ModuleVersion        = '$version'" })
    $manifest = [regex]::Replace($manifest, "ReleaseNotes\s*=\s*'(?:[^']|'')*'", { param($match) "ReleaseNotes = '$notes'" })
    Set-Content -Path (Join-Path $moduleFolder 'EnergyData.psd1') -Value $manifest -Encoding utf8

    foreach ($file in @('LICENSE', 'README.md', 'CHANGELOG.md', 'EnergyData.format.ps1xml')) {
        Copy-Item -Path (Join-Path $root $file) -Destination $moduleFolder
    }

    # Only the module's own dlls and its dependencies; never the PowerShell reference assembly.
    $leaked = Get-ChildItem -Path $moduleFolder -Recurse -Filter 'System.Management.Automation.dll'
    if ($leaked) { throw 'System.Management.Automation.dll must not ship with the module.' }
    Test-ModuleManifest -Path (Join-Path $moduleFolder 'EnergyData.psd1') | Out-Null
    Write-Host "Module laid out in $moduleFolder (version $version)."
}

function Invoke-TestTask {
    Invoke-Dotnet test (Join-Path $root 'EnergyData.sln') -c $Configuration
    Invoke-PesterTask
}

function Invoke-PesterTask {
    # Always rebuilt: the suites start a freshly built emulator, and a module left from an earlier build would be
    # tested against it (or pass for the wrong reason). The build empties the module folder, help included.
    Invoke-BuildTask
    if ($NoHelp) {
        Write-Warning 'No help built (-NoHelp): the Pester tests tagged Help are left out.'
    }
    else {
        Invoke-DocsTask
    }
    # Pester 5 only, as CI pins it: Pester 6 discovers and names tests differently.
    $pester = Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version -ge [version]'5.5.0' -and $_.Version -lt [version]'6.0' } | Select-Object -First 1
    if (-not $pester) {
        Enable-GalleryTls
        Install-Module -Name Pester -MinimumVersion 5.5.0 -MaximumVersion 5.99.99 -Scope CurrentUser -Force -SkipPublisherCheck
    }

    # Pester runs in a child process: the suites import the module, whose dlls would otherwise stay loaded here.
    $run = @'
$ErrorActionPreference = 'Stop'
Import-Module -Name Pester -MinimumVersion 5.5.0 -MaximumVersion 5.99.99
$configuration = New-PesterConfiguration
$configuration.Run.Path = __TESTS__
$configuration.Run.PassThru = $true
$configuration.Filter.ExcludeTag = __EXCLUDE__
$configuration.Output.Verbosity = 'Detailed'
$configuration.TestResult.Enabled = $true
$configuration.TestResult.OutputPath = __RESULTS__
$result = Invoke-Pester -Configuration $configuration
# One line for .ci/run to count, as it counts dotnet test's summaries.
'Pester: {0} passed, {1} failed, {2} skipped, {3} not run' -f $result.PassedCount, $result.FailedCount, $result.SkippedCount, $result.NotRunCount
if ($result.Result -ne 'Passed') { exit 1 }
exit 0
'@
    $run = $run.Replace('__TESTS__', (ConvertTo-PSLiteral (Join-Path $root 'tests')))
    $run = $run.Replace('__RESULTS__', (ConvertTo-PSLiteral (Join-Path $out 'pester.xml')))
    $run = $run.Replace('__EXCLUDE__', $(if ($NoHelp) { "@('Help')" } else { '@()' }))
    Invoke-ChildShell -Name 'Pester' -Script $run
}

function Invoke-DocsTask {
    if (-not (Test-Path (Join-Path $moduleFolder 'EnergyData.dll'))) { Invoke-BuildTask }
    $platyPS = Get-Module -ListAvailable -Name Microsoft.PowerShell.PlatyPS | Where-Object { $_.Version -eq [version]$platyPSVersion }
    if (-not $platyPS) {
        Install-BuildModule -Name Microsoft.PowerShell.PlatyPS -RequiredVersion $platyPSVersion
    }
    Import-Module -Name Microsoft.PowerShell.PlatyPS -RequiredVersion $platyPSVersion

    # PlatyPS 1.0.3 writes <OutputFolder>/<ModuleName>/<external help file>, the name in the pages' 'external help
    # file' metadata (EnergyData.dll-Help.xml); earlier builds of the 1.0 line named the file after the module.
    # Export aside, then copy into en-US.
    $maml = Join-Path $out 'maml'
    if (Test-Path $maml) { Remove-Item -Recurse -Force $maml }
    $helpFolder = Join-Path $moduleFolder 'en-US'
    New-Item -ItemType Directory -Force -Path $helpFolder | Out-Null
    $commandPages = Measure-PlatyPSMarkdown -Path (Join-Path $root 'docs/*.md') | Where-Object { $_.Filetype -match 'CommandHelp' }
    $commandHelp = $commandPages | ForEach-Object { Import-MarkdownCommandHelp -Path $_.FilePath }
    $commandHelp | Export-MamlCommandHelp -OutputFolder $maml -Force | Out-Null

    # Get-Help looks for the file the cmdlet assembly names, EnergyData.dll-Help.xml, and Linux file names are
    # case-sensitive: check the exact name rather than trusting a wildcard.
    $expected = 'EnergyData.dll-Help.xml'
    # Found wherever under the export folder it was written, so a change of PlatyPS's folder layout does not matter.
    $produced = @(Get-ChildItem -LiteralPath $maml -Recurse -File -ErrorAction SilentlyContinue)
    # Whether the pages' 'external help file' reaches the export depends on the PlatyPS build: a file named after the
    # module (EnergyData-Help.xml) is the same MAML and is taken under the expected name.
    $helpFile = $produced | Where-Object { $_.Name -ceq $expected } | Select-Object -First 1
    if (-not $helpFile) {
        $helpFile = $produced | Where-Object { $_.Name -ieq 'EnergyData-Help.xml' } | Select-Object -First 1
    }
    if (-not $helpFile) {
        throw "PlatyPS $platyPSVersion produced [$(@($produced | ForEach-Object { $_.FullName }) -join ', ')], not $expected."
    }

    # about_ topics ship as plain text: the markdown without its front matter.
    $about = Get-Content -Raw -Path (Join-Path $root 'docs/about_EnergyData.md')
    $about = $about -replace '(?s)\A---\r?\n.*?\r?\n---\r?\n\s*', ''

    # Get-Help looks in the folder of the UI culture and of its parents (es-CL, es), then in the module folder itself;
    # it does not fall back to en-US. The help is in English, and most of this module's users run Spanish systems: the
    # same files go into en-US and into the module folder, where every other culture finds them.
    foreach ($folder in @($helpFolder, $moduleFolder)) {
        Copy-Item -LiteralPath $helpFile.FullName -Destination (Join-Path $folder $expected) -Force
        Set-Content -Path (Join-Path $folder 'about_EnergyData.help.txt') -Value $about -Encoding utf8
    }
    Write-Host "Help written to $helpFolder and $moduleFolder."
}

function Invoke-PackageTask {
    Invoke-BuildTask
    Invoke-DocsTask
    $repositoryPath = Join-Path $out 'repository'
    $installPath = Join-Path $out 'installed'
    foreach ($path in @($repositoryPath, $installPath)) {
        if (Test-Path $path) { Remove-Item -Recurse -Force $path }
        New-Item -ItemType Directory -Path $path | Out-Null
    }

    # The Gallery path without the network: publish to a throw-away local repository and install back from it.
    # With PSResourceGet (PowerShell 7.4+), as the Gallery publish step uses it; on Windows PowerShell 5.1 without
    # it, with PowerShellGet 2 (whose Publish-Module -Force fetches nuget.exe without asking when it is missing).
    $repositoryName = 'EnergyDataLocal' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    if (Test-PSResourceGet) {
        Register-PSResourceRepository -Name $repositoryName -Uri $repositoryPath -Trusted
        try {
            Publish-PSResource -Path $moduleFolder -Repository $repositoryName
            Save-PSResource -Name EnergyData -Repository $repositoryName -Path $installPath -TrustRepository
        }
        finally {
            Unregister-PSResourceRepository -Name $repositoryName
        }
    }
    else {
        Write-Host 'PSResourceGet is not available: packaging with PowerShellGet.'
        Import-PowerShellGet
        Register-PSRepository -Name $repositoryName -SourceLocation $repositoryPath -PublishLocation $repositoryPath -InstallationPolicy Trusted
        try {
            Publish-Module -Path $moduleFolder -Repository $repositoryName -Force
            Save-Module -Name EnergyData -Repository $repositoryName -Path $installPath -Force
        }
        finally {
            Unregister-PSRepository -Name $repositoryName
        }
    }

    # <path>/EnergyData/<version>; an older PowerShellGet saves into <path>/EnergyData itself.
    $installed = Get-Item -LiteralPath (Join-Path $installPath 'EnergyData')
    if (-not (Test-Path (Join-Path $installed.FullName 'EnergyData.psd1'))) {
        $installed = Get-ChildItem -LiteralPath $installed.FullName -Directory | Select-Object -First 1
    }
    foreach ($expected in @('EnergyData.psd1', 'EnergyData.dll', 'EnergyData.Loader.dll', 'EnergyData.LoadContext.dll', 'EnergyData.format.ps1xml',
            'dependencies/EnergyData.Core.dll', 'dependencies/Polly.Core.dll', 'dependencies/System.Text.Json.dll', 'en-US/EnergyData.dll-Help.xml', 'en-US/about_EnergyData.help.txt', 'EnergyData.dll-Help.xml', 'about_EnergyData.help.txt')) {
        if (-not (Test-Path (Join-Path $installed.FullName $expected))) { throw "The installed package lacks $expected." }
    }

    # Import in a separate process, so this one keeps no module dlls loaded (and locked, on Windows).
    $manifest = Join-Path $installed.FullName 'EnergyData.psd1'
    $check = "`$m = Import-Module -Name $(ConvertTo-PSLiteral $manifest) -PassThru -ErrorAction Stop; '{0} {1}: {2} cmdlets' -f `$m.Name, `$m.Version, @(`$m.ExportedCmdlets.Keys).Count"
    $shell = Get-PowerShellPath
    $summary = & $shell -NoProfile -NonInteractive -Command $check
    if ($LASTEXITCODE -ne 0) { throw "Importing the installed package failed: $summary" }
    Write-Host "Installed from the local repository: $summary"
}

function Invoke-DemoTask {
    Invoke-BuildTask
    # The Pester suites' emulator helpers: build the emulator, run its dll, wait for its "listening on" line.
    Import-Module (Join-Path $root 'tests/TestHelpers.psm1') -Force
    $emulator = Start-TestEmulator -Configuration $Configuration
    $csv = Join-Path $out 'debts.csv'
    try {
        # The module is imported in a child process, so this one keeps none of its dlls loaded.
        $demo = @'
$ErrorActionPreference = 'Stop'
Import-Module -Name __MANIFEST__ -Force
# The emulator publishes the credentials it accepts (test values, not secrets).
$credentials = Invoke-RestMethod -Uri (__BASEURI__ + '_emulator/credentials')
$apiKey = ConvertTo-SecureString -String $credentials.khipuApiKey -AsPlainText -Force
Connect-EnergyData -KhipuApiKey $apiKey -KhipuBaseUri __BASEURI__
Import-Csv -Path __SAMPLE__ |
    Get-EnelDebtStatus -ErrorVariable failures -ErrorAction SilentlyContinue |
    Export-Csv -Path __CSV__ -NoTypeInformation
Import-Csv -Path __CSV__ | Format-Table -Property @('ClientIdentifier', 'Address', 'DebtAmount', 'DebtCurrency', 'DebtDueDate')
foreach ($failure in $failures) { Write-Warning ('{0} - {1}' -f $failure.TargetObject, $failure.Exception.Message) }
Disconnect-EnergyData
'@
        $demo = $demo.Replace('__MANIFEST__', (ConvertTo-PSLiteral (Join-Path $moduleFolder 'EnergyData.psd1')))
        $demo = $demo.Replace('__BASEURI__', (ConvertTo-PSLiteral $emulator.BaseUri))
        $demo = $demo.Replace('__SAMPLE__', (ConvertTo-PSLiteral (Join-Path $root 'docs/samples/clients.csv')))
        $demo = $demo.Replace('__CSV__', (ConvertTo-PSLiteral $csv))
        Invoke-ChildShell -Name 'Demo' -Script $demo
        Write-Host "Wrote $csv"
    }
    finally {
        Stop-TestEmulator -Emulator $emulator
    }
}

foreach ($name in $Task) {
    switch ($name) {
        'Build' { Invoke-BuildTask }
        'Test' { Invoke-TestTask }
        'Pester' { Invoke-PesterTask }
        'Docs' { Invoke-DocsTask }
        'Package' { Invoke-PackageTask }
        'Demo' { Invoke-DemoTask }
    }
}
