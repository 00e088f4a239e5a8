#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# The built module as a user meets it in the first minute: import, help, default tables, tab completion,
# dependency isolation and Remove-Module. Runs on PowerShell 7 and Windows PowerShell 5.1 (./build.ps1 -Task Test,
# and the Windows PowerShell leg of CI); no emulator needed.

BeforeDiscovery {
    $manifestPath = Join-Path (Split-Path -Parent $PSScriptRoot) 'out/EnergyData/EnergyData.psd1'
    # Read here to make one Describe per cmdlet: without a build, say so rather than fail on the missing file.
    if (-not (Test-Path -LiteralPath $manifestPath)) {
        throw "The module is not built ($manifestPath is missing). Run ./build.ps1 -Task Build first."
    }
    $script:CmdletNames = @((Import-PowerShellDataFile -Path $manifestPath).CmdletsToExport)
    [xml] $format = Get-Content -Raw -Path (Join-Path (Split-Path -Parent $PSScriptRoot) 'EnergyData.format.ps1xml')
    # One Describe per type: a type listed by two views would otherwise give two blocks of the same name.
    $script:ViewTypeNames = @($format.Configuration.ViewDefinitions.View | ForEach-Object { $_.ViewSelectedBy.TypeName } | Sort-Object -Unique)
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:ManifestPath = Join-Path (Get-RepositoryRoot) 'out/EnergyData/EnergyData.psd1'
    Import-BuiltModule
    $script:ModuleBase = (Get-Module -Name EnergyData).ModuleBase
}

AfterAll {
    if (-not (Get-Module -Name EnergyData)) { Import-BuiltModule }
}

Describe 'Import' {
    It 'exports exactly the cmdlets the manifest lists' {
        $exported = @((Get-Command -Module EnergyData -CommandType Cmdlet).Name | Sort-Object)
        $exported | Should -Be @((Import-PowerShellDataFile -Path $script:ManifestPath).CmdletsToExport | Sort-Object)
    }

    It 'imports the loader as a nested module, before the cmdlets' {
        (Get-Module -Name EnergyData).NestedModules.Name | Should -Contain 'EnergyData.Loader'
        [EnergyData.Loading.DependencyIsolation]::ActiveImports | Should -BeGreaterThan 0
    }

    It 'loads EnergyData.Core from its own dependencies folder' {
        $null = Get-Command -Name Get-EnelDebtStatus -Syntax
        $core = [AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'EnergyData.Core' }
        $core | Should -HaveCount 1
        $core.Location | Should -BeLike (Join-Path $script:ModuleBase 'dependencies*')
    }

    It 'loads Polly.Core into the module''s own load context on PowerShell 7' -Skip:($PSVersionTable.PSEdition -ne 'Core') {
        # The first data command creates the HTTP client and with it Polly; nothing listens on the discard port.
        $key = ConvertTo-SecureString -String 'not-a-key' -AsPlainText -Force
        $connection = Connect-EnergyData -KhipuApiKey $key -KhipuBaseUri 'http://127.0.0.1:9/' -MaxRetryCount 0 -TimeoutSec 5 -PassThru
        Get-EnelDebtStatus -ClientIdentifier '1234567-8' -Connection $connection -ErrorAction SilentlyContinue | Out-Null
        # Closed, not only forgotten: a connection handed out with -PassThru stays open until it is closed.
        $connection | Disconnect-EnergyData -Confirm:$false

        $polly = @([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'Polly.Core' -and $_.Location -like "$($script:ModuleBase)*" })
        $polly | Should -HaveCount 1
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($polly[0]).Name | Should -Be 'EnergyData'
    }

    It 'enables TLS 1.2 on Windows PowerShell without removing other protocols (<Case>)' -Skip:($PSVersionTable.PSEdition -eq 'Core') -TestCases @(
        @{ Case = 'as the process starts'; Preset = '' }
        @{ Case = 'with TLS 1.0 and 1.1 set before the import'; Preset = 'Tls, Tls11' }
    ) {
        param($Case, $Preset)
        # Before and after, in a fresh process of this PowerShell: this one imported the module already.
        $manifest = "'" + ($script:ManifestPath -replace "'", "''") + "'"
        $presetLine = if ($Preset) { "[Net.ServicePointManager]::SecurityProtocol = [Net.SecurityProtocolType] '$Preset'" } else { '' }
        $probe = Join-Path $TestDrive 'tls-probe.ps1'
        Set-Content -Path $probe -Encoding utf8 -Value @(
            '$ErrorActionPreference = ''Stop'''
            $presetLine
            '$before = [int] [Net.ServicePointManager]::SecurityProtocol'
            ('Import-Module -Name ' + $manifest)
            '$after = [int] [Net.ServicePointManager]::SecurityProtocol'
            '''{0} {1}'' -f $before, $after'
        )
        # This PowerShell's executable from $PSHOME: the current process may be a host (ISE, an editor) that takes no -File.
        $shell = if ($PSVersionTable.PSEdition -eq 'Core') { Join-Path $PSHOME 'pwsh' } else { Join-Path $PSHOME 'powershell.exe' }
        if (-not (Test-Path -LiteralPath $shell)) { $shell = Join-Path $PSHOME 'pwsh.exe' }
        $output = @(& $shell -NoProfile -NonInteractive -File $probe)
        $LASTEXITCODE | Should -Be 0 -Because ($output -join [Environment]::NewLine)
        $before, $after = ($output[-1] -split ' ') | ForEach-Object { [int] $_ }
        $tls12 = [int] [Net.SecurityProtocolType]::Tls12

        ($after -band $before) | Should -Be $before -Because 'the import must keep every protocol the session allowed'
        if ($before -eq 0) {
            # SystemDefault lets the OS choose, TLS 1.2 included; adding a flag would pin the list and drop TLS 1.3.
            $after | Should -Be 0
        }
        else {
            ($after -band $tls12) | Should -Be $tls12
        }
    }
}

# The help is made by ./build.ps1 -Task Docs with PlatyPS (-Task Test runs Docs when the help is missing), not by
# -Task Build. Every Describe that needs it carries the tag Help: a run where the help could not be built can leave
# them out with -ExcludeTag Help (Pester's Filter.ExcludeTag); by default they run.
Describe 'Help file' -Tag Help {
    It 'is in the module folder and in en-US, where Get-Help looks for it' {
        foreach ($relative in @('EnergyData.dll-Help.xml', 'en-US/EnergyData.dll-Help.xml')) {
            Join-Path $script:ModuleBase $relative | Should -Exist -Because 'the help is built by ./build.ps1 -Task Docs (PlatyPS); without it every other Help test fails'
        }
    }
}

Describe 'Help for <_>' -Tag Help -ForEach $CmdletNames {
    BeforeAll {
        $script:Help = Get-Help -Name $_ -Full
    }

    It 'has a synopsis and a description from the module''s help file' {
        $script:Help.Synopsis | Should -Not -BeNullOrEmpty
        $script:Help.Synopsis | Should -Not -Match '^\s*\S+-\S+ \['
        ($script:Help.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty
    }

    It 'has at least two examples' {
        @($script:Help.Examples.Example).Count | Should -BeGreaterOrEqual 2
    }

    It 'describes every parameter' {
        $command = Get-Command -Name $_
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        foreach ($name in $command.Parameters.Keys | Where-Object { $_ -notin $common }) {
            $parameter = $script:Help.Parameters.Parameter | Where-Object Name -EQ $name
            $parameter | Should -Not -BeNullOrEmpty -Because "-$name needs a help entry"
            ($parameter.Description | Out-String).Trim() | Should -Not -BeNullOrEmpty -Because "-$name needs a description"
        }
    }
}

Describe 'Help under another UI culture' -Tag Help {
    # Get-Help searches the UI culture's folder, its parents' and the module folder, never en-US: build.ps1 puts the
    # help in the module folder too. The culture is set and restored inside one statement, as the host may reset it.
    It 'is found for <_> on an es-CL system' -ForEach @('Get-NeuAccount', 'about_EnergyData') {
        $name = $_
        $text = & {
            $saved = [System.Threading.Thread]::CurrentThread.CurrentUICulture
            try {
                [System.Threading.Thread]::CurrentThread.CurrentUICulture = [System.Globalization.CultureInfo]::new('es-CL')
                Get-Help -Name $name -Full | Out-String
            }
            finally {
                [System.Threading.Thread]::CurrentThread.CurrentUICulture = $saved
            }
        }
        $text | Should -Match 'EXAMPLE|SecretManagement'
    }
}

Describe 'About topic' -Tag Help {
    It 'is found by Get-Help' {
        (Get-Help -Name about_EnergyData | Out-String) | Should -Match 'SecretManagement'
    }
}

Describe 'Default table view of <_>' -ForEach $ViewTypeNames {
    It 'is the only view of the type in the format file' {
        # PowerShell uses the first view of a type and ignores the others.
        [xml] $format = Get-Content -Raw -Path (Join-Path (Get-RepositoryRoot) 'EnergyData.format.ps1xml')
        $typeName = $_
        @($format.Configuration.ViewDefinitions.View | Where-Object { @($_.ViewSelectedBy.TypeName) -contains $typeName }) | Should -HaveCount 1
    }

    It 'is loaded from the format file' {
        $view = Get-FormatData -TypeName $_
        $view | Should -Not -BeNullOrEmpty
        $view.FormatViewDefinition | ForEach-Object { $_.Control.GetType().Name } | Should -Contain 'TableControl'
    }
}

Describe 'Formatting' {
    It 'shows an amount with its currency and a short date' {
        # Created from the Type object: PowerShell 7 cannot resolve the name of a type in the module's load context.
        $row = [Activator]::CreateInstance((Get-ModuleType -FullName 'EnergyData.Khipu.EnelDebtStatus'))
        $row.ClientIdentifier = '1234567-8'
        $row.DebtAmount = 10000
        $row.DebtCurrency = 'CLP'
        $row.DebtDueDate = [datetime]'2017-07-22'
        $table = $row | Format-Table | Out-String
        $table | Should -Match '10.000 CLP'
        $table | Should -Match '2017-07-22'
        $table | Should -Not -Match 'RawJson'
    }
}

Describe 'Tab completion' {
    It 'completes Invoke-KhipuRequest -Path with the known services' {
        $line = 'Invoke-KhipuRequest -Path v1/cl/services/enel'
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $completions | Should -Contain 'v1/cl/services/enel.cl/debt-status-by-client-identifier'
        $completions | Should -Not -Contain 'v1/cl/services/tgr.cl/expired-agreements-v2'
    }

    It 'completes Get-NeuRoute -Name with the endpoint names' {
        $line = 'Get-NeuRoute -Name Bill'
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        $completions | Should -Contain 'BillsOverdue'
        $completions | Should -Not -Contain 'Consumption'
    }

    It 'completes Get-TgrExpiredAgreement -Detail with the enum values' {
        $line = 'Get-TgrExpiredAgreement -Detail Ins'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain 'Instalment'
    }
}

Describe 'Connections' {
    BeforeAll {
        $script:KeyOne = ConvertTo-SecureString -String 'not-a-real-key-1' -AsPlainText -Force
        $script:KeyTwo = ConvertTo-SecureString -String 'not-a-real-key-2' -AsPlainText -Force
    }

    AfterEach {
        Disconnect-EnergyData -Confirm:$false
    }

    It 'keeps a -PassThru connection as the session''s until another Connect, and never shows a secret' {
        $first = Connect-EnergyData -KhipuApiKey $script:KeyOne -PassThru
        try {
            $shown = ($first | Format-List * | Out-String) + ($first | ConvertTo-Csv -NoTypeInformation | Out-String)
            $shown | Should -Not -Match 'not-a-real-key'
            # The same object (EnergyDataConnection has reference equality): the session's is the one handed out.
            Get-EnergyDataConnection | Should -Be $first -Because 'the connection -PassThru returned is the session''s until another Connect'
            (Get-EnergyDataConnection).KhipuAuthenticationScheme | Should -Be 'ApiKey'

            Connect-EnergyData -KhipuApiKey $script:KeyTwo
            $second = Get-EnergyDataConnection
            $second | Should -Not -BeNullOrEmpty
            $second | Should -Not -Be $first -Because 'the second Connect makes a new connection the session''s'
            # Replaced but handed out: still open for -Connection. GetKhipuClient sends nothing; it throws once closed.
            { $first.GetKhipuClient() } | Should -Not -Throw

            $first | Disconnect-EnergyData -Confirm:$false
            { $first.GetKhipuClient() } | Should -Throw -ExpectedMessage '*closed by Disconnect-EnergyData*'
            Get-EnergyDataConnection | Should -Be $second -Because 'closing the handed-out connection leaves the session''s alone'
        }
        finally {
            # Closed also when a check failed: a handed-out connection stays open until it is closed.
            $first | Disconnect-EnergyData -Confirm:$false
        }
    }

    It 'refuses a remote plain http base URI unless -AllowUnencryptedAuthentication is given' {
        $remote = 'http://khipu-mock.example:8080/'
        { Connect-EnergyData -KhipuApiKey $script:KeyOne -KhipuBaseUri $remote } |
            Should -Throw -ErrorId 'InvalidParameter*' -ExpectedMessage '*-AllowUnencryptedAuthentication*'
        Connect-EnergyData -KhipuApiKey $script:KeyOne -KhipuBaseUri $remote -AllowUnencryptedAuthentication
        (Get-EnergyDataConnection).KhipuBaseUri.AbsoluteUri | Should -Be $remote
    }

    It 'refuses a -KhipuApiKey of only whitespace as empty, as it does a blank token' {
        $blank = ConvertTo-SecureString -String "   `t " -AsPlainText -Force
        $failure = { Connect-EnergyData -KhipuApiKey $blank } | Should -Throw -ErrorId 'InvalidParameter*' -PassThru
        $failure.Exception.Message | Should -BeLike "Parameter 'KhipuApiKey' must not be empty.*"
    }

    It 'names an environment variable, not a parameter, when its value is refused, and names it once' {
        $saved = $env:ENERGYDATA_KHIPU_BASE_URI
        try {
            $env:ENERGYDATA_KHIPU_BASE_URI = 'not a uri'
            $failure = { Connect-EnergyData -NeuToken (ConvertTo-SecureString -String 'a.b.c' -AsPlainText -Force) } |
                Should -Throw -ErrorId 'InvalidParameter*' -PassThru
            $failure.Exception.Message | Should -BeExactly "Environment variable 'ENERGYDATA_KHIPU_BASE_URI' must be an absolute URI. 'not a uri' is not."
        }
        finally {
            $env:ENERGYDATA_KHIPU_BASE_URI = $saved
        }
    }

    It 'gives the connection the ENERGYDATA_* variables make before any data command, and NotConnected without them' {
        $saved = $env:ENERGYDATA_KHIPU_API_KEY
        try {
            Disconnect-EnergyData -Confirm:$false
            $env:ENERGYDATA_KHIPU_API_KEY = 'env-key-never-shown'
            $connection = Get-EnergyDataConnection
            $connection.KhipuAuthenticationScheme | Should -Be 'ApiKey' -Because 'a script can check the connection a data command would use before it sends anything'
            ($connection | Format-List * | Out-String) | Should -Not -BeLike '*env-key-never-shown*'
            Get-EnergyDataConnection | Should -Be $connection -Because 'it is kept as the session''s, as a data command keeps it'

            Disconnect-EnergyData -Confirm:$false
            $env:ENERGYDATA_KHIPU_API_KEY = $null
            Get-EnergyDataConnection -ErrorVariable failure -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failure[0].FullyQualifiedErrorId | Should -BeLike 'NotConnected,*'
            $failure[0].CategoryInfo.Category | Should -Be 'InvalidOperation' -Because 'the data cmdlets give NotConnected that category'
            $failure[0].ErrorDetails.RecommendedAction | Should -BeLike '*Connect-EnergyData*'
        }
        finally {
            $env:ENERGYDATA_KHIPU_API_KEY = $saved
        }
    }

    It 'closes only the connection given to Disconnect-EnergyData -Connection' {
        $kept = Connect-EnergyData -KhipuApiKey $script:KeyOne -PassThru
        try {
            Connect-EnergyData -KhipuApiKey $script:KeyTwo
            $session = Get-EnergyDataConnection
            $session | Should -Not -Be $kept -Because 'the second Connect makes a new connection the session''s'
            { $kept.GetKhipuClient() } | Should -Not -Throw

            $kept | Disconnect-EnergyData -Confirm:$false
            # The piped one is closed (GetKhipuClient sends nothing; it throws once closed)...
            { $kept.GetKhipuClient() } | Should -Throw -ExpectedMessage '*closed by Disconnect-EnergyData*'
            # ...and the session's own connection is still the session's, and open.
            Get-EnergyDataConnection | Should -Be $session -Because 'closing the piped connection leaves the session''s connection in place'
            { $session.GetKhipuClient() } | Should -Not -Throw

            Disconnect-EnergyData -Confirm:$false
            Get-EnergyDataConnection -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            { $session.GetKhipuClient() } | Should -Throw -ExpectedMessage '*closed by Disconnect-EnergyData*'
        }
        finally {
            $kept | Disconnect-EnergyData -Confirm:$false
        }
    }
}

Describe 'Remove-Module' {
    It 'removes the module and its loader, and unhooks the resolver' {
        $before = [EnergyData.Loading.DependencyIsolation]::ActiveImports
        Remove-Module -Name EnergyData
        # -All: without it Get-Module lists no nested module, so the loader would pass unseen.
        Get-Module -Name 'EnergyData', 'EnergyData.Loader' -All | Should -BeNullOrEmpty
        [EnergyData.Loading.DependencyIsolation]::ActiveImports | Should -Be ($before - 1)
    }

    It 'imports again in the same session' {
        Import-BuiltModule
        [EnergyData.Loading.DependencyIsolation]::ActiveImports | Should -BeGreaterThan 0
        Get-Command -Name Get-EnelDebtStatus -Module EnergyData | Should -Not -BeNullOrEmpty
    }

    It 'says at the next command, once, that Import-Module -Force stopped the callback receiver' {
        $inbox = Join-Path $TestDrive 'inbox-removed'
        $receiver = Start-KhipuCallbackReceiver -InboxPath $inbox
        try {
            # Import-Module -Force removes the module first: the receiver stops, and nothing can say so then.
            Import-BuiltModule
            Get-KhipuCallbackReceiver -WarningVariable warned -WarningAction SilentlyContinue | Should -BeNullOrEmpty
            $warned | Should -HaveCount 1
            "$($warned[0])" | Should -BeLike "The callback receiver on $($receiver.ListenPrefix) was stopped at * when the module was removed (Remove-Module, or Import-Module -Force*"
            Get-KhipuCallbackReceiver -WarningVariable again -WarningAction SilentlyContinue | Should -BeNullOrEmpty
            $again | Should -BeNullOrEmpty -Because 'the notice is given once'
        }
        finally {
            Stop-KhipuCallbackReceiver -Confirm:$false -ErrorAction SilentlyContinue | Out-Null
        }
    }
}
