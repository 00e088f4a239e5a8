<#
.SYNOPSIS
    Builds, tests, documents, packages and demonstrates the EnergyData module.
.DESCRIPTION
    Build    publishes the cmdlet assembly and lays out the module folder in out/EnergyData.
    Test     runs the xunit suite (dotnet test) and the Pester 5 suite against the built module.
    Docs     turns docs/*.md (PlatyPS markdown) into MAML help in out/EnergyData/en-US.
    Package  publishes the module to a temporary local repository and installs it back from there.
    Demo     starts the emulator and runs Import-Csv | Get-EnelDebtStatus | Export-Csv on a sample file.
.EXAMPLE
    ./build.ps1 -Task Build, Test
.EXAMPLE
    ./build.ps1 -Task Demo
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Docs', 'Package', 'Demo')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$root = $PSScriptRoot
$out = Join-Path $root 'out'
$moduleFolder = Join-Path $out 'EnergyData'
$staging = Join-Path $out 'staging'

function Get-ModuleVersion {
    [xml] $props = Get-Content -Raw -Path (Join-Path $root 'Directory.Build.props')
    $prefix = $props.Project.PropertyGroup | ForEach-Object { $_.VersionPrefix } | Where-Object { $_ } | Select-Object -First 1
    if (-not $prefix) { throw 'VersionPrefix not found in Directory.Build.props' }
    return $prefix
}

function Invoke-Dotnet {
    param([Parameter(ValueFromRemainingArguments)] [string[]] $Arguments)
    & dotnet @Arguments
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Get-ReleaseNotes {
    param([string] $Version)
    # The changelog's section for this version, else the Unreleased one: the Gallery shows it as release notes.
    $changelog = Get-Content -Raw -Path (Join-Path $root 'CHANGELOG.md')
    foreach ($heading in @([regex]::Escape("[$Version]"), '\[Unreleased\]')) {
        $section = [regex]::Match($changelog, "(?ms)^## $heading[^\n]*\n(?<body>.*?)(?=^## |\z)")
        if ($section.Success) { return $section.Groups['body'].Value.Trim() }
    }
    return "See https://github.com/energydata/EnergyData/blob/main/CHANGELOG.md"
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

    if (-not (Test-Path (Join-Path $moduleFolder 'EnergyData.dll'))) { Invoke-BuildTask }
    if (-not (Test-Path (Join-Path $moduleFolder 'en-US/EnergyData.dll-Help.xml'))) { Invoke-DocsTask }
    $pester = Get-Module -ListAvailable -Name Pester | Where-Object { $_.Version -ge [version]'5.5.0' } | Select-Object -First 1
    if (-not $pester) {
        Install-Module -Name Pester -MinimumVersion 5.5.0 -Scope CurrentUser -Force -SkipPublisherCheck
    }
    Import-Module Pester -MinimumVersion 5.5.0
    $configuration = New-PesterConfiguration
    $configuration.Run.Path = Join-Path $root 'tests'
    $configuration.Run.Exit = $false
    $configuration.Run.Throw = $true
    $configuration.Output.Verbosity = 'Detailed'
    $configuration.TestResult.Enabled = $true
    $configuration.TestResult.OutputPath = Join-Path $out 'pester.xml'
    Invoke-Pester -Configuration $configuration
}

function Invoke-DocsTask {
    if (-not (Test-Path (Join-Path $moduleFolder 'EnergyData.dll'))) { Invoke-BuildTask }
    $platyPS = Get-Module -ListAvailable -Name Microsoft.PowerShell.PlatyPS | Where-Object { $_.Version -ge [version]'1.0.0' } | Select-Object -First 1
    if (-not $platyPS) {
        Install-PSResource -Name Microsoft.PowerShell.PlatyPS -Version '[1.0.0,2.0.0)' -Scope CurrentUser -TrustRepository
    }
    Import-Module Microsoft.PowerShell.PlatyPS -MinimumVersion 1.0.0

    # PlatyPS writes <OutputFolder>/<ModuleName>/<external help file>; export aside, then copy into en-US.
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
    $produced = Get-ChildItem -Path $maml -Recurse -File | Where-Object { $_.Name -like '*-help.xml' }
    if (-not ($produced | Where-Object { $_.Name -ceq $expected })) {
        throw "PlatyPS produced $(@($produced.Name) -join ', '), not $expected."
    }
    $produced | Where-Object { $_.Name -ceq $expected } | Copy-Item -Destination $helpFolder -Force

    # about_ topics ship as plain text: the markdown without its front matter.
    $about = Get-Content -Raw -Path (Join-Path $root 'docs/about_EnergyData.md')
    $about = $about -replace '(?s)\A---\r?\n.*?\r?\n---\r?\n\s*', ''
    Set-Content -Path (Join-Path $helpFolder 'about_EnergyData.help.txt') -Value $about -Encoding utf8
    Write-Host "Help written to $helpFolder."
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
    $repositoryName = 'EnergyDataLocal' + [guid]::NewGuid().ToString('N').Substring(0, 8)
    Register-PSResourceRepository -Name $repositoryName -Uri $repositoryPath -Trusted
    try {
        Publish-PSResource -Path $moduleFolder -Repository $repositoryName
        Save-PSResource -Name EnergyData -Repository $repositoryName -Path $installPath -TrustRepository
    }
    finally {
        Unregister-PSResourceRepository -Name $repositoryName
    }

    $installed = Get-ChildItem -Path (Join-Path $installPath 'EnergyData') -Directory | Select-Object -First 1
    foreach ($expected in @('EnergyData.psd1', 'EnergyData.dll', 'EnergyData.Loader.dll', 'EnergyData.LoadContext.dll', 'EnergyData.format.ps1xml',
            'dependencies/EnergyData.Core.dll', 'dependencies/Polly.Core.dll', 'dependencies/System.Text.Json.dll', 'en-US/EnergyData.dll-Help.xml', 'en-US/about_EnergyData.help.txt')) {
        if (-not (Test-Path (Join-Path $installed.FullName $expected))) { throw "The installed package lacks $expected." }
    }

    # Import in a separate process, so this one keeps no module dlls loaded (and locked, on Windows).
    $manifest = Join-Path $installed.FullName 'EnergyData.psd1'
    $check = "`$m = Import-Module -Name '$manifest' -PassThru -ErrorAction Stop; '{0} {1}: {2} cmdlets' -f `$m.Name, `$m.Version, @(`$m.ExportedCmdlets.Keys).Count"
    $shell = (Get-Process -Id $PID).Path
    $summary = & $shell -NoProfile -NonInteractive -Command $check
    if ($LASTEXITCODE -ne 0) { throw "Importing the installed package failed: $summary" }
    Write-Host "Installed from the local repository: $summary"
}

function Start-Emulator {
    param([int] $Port = 5080)
    $project = Join-Path $root 'tests/EnergyData.Emulator/EnergyData.Emulator.csproj'
    Invoke-Dotnet build $project -c $Configuration
    $info = New-Object System.Diagnostics.ProcessStartInfo 'dotnet'
    # Quoted into one string: Windows PowerShell 5.1 (.NET Framework) has no ProcessStartInfo.ArgumentList.
    $info.Arguments = (@('run', '--no-build', '-c', $Configuration, '--project', $project, '--', '--urls', "http://127.0.0.1:$Port") | ForEach-Object { '"' + $_ + '"' }) -join ' '

    $info.RedirectStandardOutput = $true
    $info.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($info)
    $line = $process.StandardOutput.ReadLine()
    if ($line -notmatch 'listening on (?<uri>\S+)') {
        $process.Kill()
        throw "The emulator did not start: $line"
    }
    return [pscustomobject]@{ Process = $process; BaseUri = $Matches.uri }
}

function Invoke-DemoTask {
    Invoke-BuildTask
    $emulator = Start-Emulator
    try {
        Import-Module (Join-Path $moduleFolder 'EnergyData.psd1') -Force
        # The emulator publishes the credentials it accepts (test values, not secrets).
        $credentials = Invoke-RestMethod -Uri ($emulator.BaseUri.TrimEnd('/') + '/_emulator/credentials')
        $apiKey = ConvertTo-SecureString -String $credentials.khipuApiKey -AsPlainText -Force
        Connect-EnergyData -KhipuApiKey $apiKey -KhipuBaseUri $emulator.BaseUri
        $csv = Join-Path $out 'debts.csv'
        Import-Csv -Path (Join-Path $root 'docs/samples/clients.csv') |
            Get-EnelDebtStatus -ErrorVariable failures -ErrorAction SilentlyContinue |
            Export-Csv -Path $csv -NoTypeInformation
        Import-Csv -Path $csv | Format-Table -Property @('ClientIdentifier', 'Address', 'DebtAmount', 'DebtCurrency', 'DebtDueDate')
        foreach ($failure in $failures) { Write-Warning ('{0} - {1}' -f $failure.TargetObject, $failure.Exception.Message) }
        Write-Host "Wrote $csv"
        Disconnect-EnergyData
    }
    finally {
        $emulator.Process.Kill()
    }
}

foreach ($name in $Task) {
    switch ($name) {
        'Build' { Invoke-BuildTask }
        'Test' { Invoke-TestTask }
        'Docs' { Invoke-DocsTask }
        'Package' { Invoke-PackageTask }
        'Demo' { Invoke-DemoTask }
    }
}
