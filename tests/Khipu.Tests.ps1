#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# End-to-end scenarios for the Khipu cmdlets against the emulator. Run by ./build.ps1 -Task Test.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:Emulator = Start-TestEmulator
    $script:Credentials = Get-EmulatorCredential -Emulator $script:Emulator
    $script:ApiKeyText = $script:Credentials.khipuApiKey
    $script:ApiKey = ConvertTo-SecureString -String $script:ApiKeyText -AsPlainText -Force
    $script:AccountPassword = 'tgr-password-do-not-leak'
    $script:Account = [pscredential]::new('tgr-user', (ConvertTo-SecureString -String $script:AccountPassword -AsPlainText -Force))
    Connect-EnergyData -KhipuApiKey $script:ApiKey -KhipuBaseUri $script:Emulator.BaseUri -KhipuAccountCredential $script:Account -MaxRetryCount 2
}

AfterAll {
    Disconnect-EnergyData -Confirm:$false
    Stop-TestEmulator -Emulator $script:Emulator
}

Describe 'Connect-EnergyData and Get-EnergyDataConnection' {
    It 'shows the configuration without any secret' {
        $connection = Get-EnergyDataConnection
        $connection.KhipuAuthenticationScheme | Should -Be 'ApiKey'
        $connection.KhipuBaseUri.AbsoluteUri | Should -Be $script:Emulator.BaseUri
        ($connection | Format-List * | Out-String) | Should -Not -Match ([regex]::Escape($script:ApiKeyText))
        ($connection | ConvertTo-Json -Depth 3) | Should -Not -Match ([regex]::Escape($script:ApiKeyText))
    }

    It 'lets a command in another runspace finish its requests when this runspace connects again' {
        # The session is per process: the other runspace uses the connection this one replaces while its requests are in
        # flight (each takes 1.5 seconds at the emulator). They must complete, not fail on a disposed connection.
        Reset-Emulator -Emulator $script:Emulator
        Invoke-RestMethod -Method Post -Uri ($script:Emulator.BaseUri + '_emulator/options') -ContentType 'application/json' -Body (@{ LatencyMilliseconds = 1500 } | ConvertTo-Json) | Out-Null
        $manifest = Join-Path (Get-Module EnergyData).ModuleBase 'EnergyData.psd1'
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript("Import-Module '$manifest'; '1234567-8', '3049812-1' | Get-EnelDebtStatus -ThrottleLimit 2")
            $handle = $shell.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while ((Get-EmulatorStat -Emulator $script:Emulator).total -lt 2 -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 50
            }
            (Get-EmulatorStat -Emulator $script:Emulator).total | Should -BeGreaterOrEqual 2 -Because 'both requests of the other runspace must be in flight before this runspace connects again (waited 30 s)'

            Connect-EnergyData -KhipuApiKey $script:ApiKey -KhipuBaseUri $script:Emulator.BaseUri -KhipuAccountCredential $script:Account -MaxRetryCount 2
            $rows = $shell.EndInvoke($handle)

            $shell.Streams.Error | Should -BeNullOrEmpty
            $rows.Count | Should -Be 2
            $rows[0].Address | Should -Be 'AGUSTINAS 1234, SANTIAGO'
        }
        finally {
            $shell.Dispose()
            Reset-Emulator -Emulator $script:Emulator
        }
    }

    It 'refuses a plain-http remote base URI before anything is sent' {
        { Connect-EnergyData -KhipuApiKey $script:ApiKey -KhipuBaseUri 'http://api.example.com/' } |
            Should -Throw -ExpectedMessage "*'KhipuBaseUri' must use https*"
        (Get-EnergyDataConnection).KhipuBaseUri.AbsoluteUri | Should -Be $script:Emulator.BaseUri
    }

    It 'returns a connection with -PassThru that -Connection accepts' {
        $other = Connect-EnergyData -KhipuApiKey $script:ApiKey -KhipuBaseUri $script:Emulator.BaseUri -KhipuAccountCredential $script:Account -PassThru
        try {
            $other | Should -BeOfType (Get-ModuleType -FullName 'EnergyData.Connection.EnergyDataConnection')
            (Get-EnelDebtStatus -ClientIdentifier '1234567-8' -Connection $other).Address | Should -Be 'AGUSTINAS 1234, SANTIAGO'
        }
        finally {
            # Handed out with -PassThru, it would stay open until the process ends, and it is the session's now (without
            # -MaxRetryCount 2): close it and connect as the rest of this file expects.
            $other | Disconnect-EnergyData -Confirm:$false
            Connect-EnergyData -KhipuApiKey $script:ApiKey -KhipuBaseUri $script:Emulator.BaseUri -KhipuAccountCredential $script:Account -MaxRetryCount 2
        }
    }
}

Describe 'Get-EnelDebtStatus' {
    BeforeEach { Reset-Emulator -Emulator $script:Emulator }

    It 'returns the documented example as a typed, flat row' {
        $row = Get-EnelDebtStatus -ClientIdentifier '1234567-8'
        $row | Should -BeOfType (Get-ModuleType -FullName 'EnergyData.Khipu.EnelDebtStatus')
        $row.ClientIdentifier | Should -Be '1234567-8'
        $row.Address | Should -Be 'AGUSTINAS 1234, SANTIAGO'
        $row.DebtAmount | Should -Be 10000
        $row.DebtCurrency | Should -Be 'CLP'
        $row.DebtDueDate | Should -Be ([datetime]'2017-07-22')
        $row.OperationId | Should -Not -BeNullOrEmpty
    }

    It 'runs the Import-Csv to Export-Csv pipeline, one row or one error per input' {
        $csv = Join-Path $TestDrive 'clients.csv'
        $out = Join-Path $TestDrive 'debts.csv'
        @(
            [pscustomobject]@{ NumeroCliente = '1234567-8'; Region = 'RM' }
            [pscustomobject]@{ NumeroCliente = '3049812-1'; Region = 'V' }
            [pscustomobject]@{ NumeroCliente = '123456789012345678901'; Region = 'X' }
            [pscustomobject]@{ NumeroCliente = '778899'; Region = 'VIII' }
        ) | Export-Csv -Path $csv -NoTypeInformation

        Import-Csv -Path $csv | Get-EnelDebtStatus -ErrorVariable failures -ErrorAction SilentlyContinue | Export-Csv -Path $out -NoTypeInformation

        $rows = Import-Csv -Path $out
        $rows.Count | Should -Be 3
        $rows.ClientIdentifier | Should -Be @('1234567-8', '3049812-1', '778899')
        (Get-Content -Raw -Path $out) | Should -Not -Match 'System\.'
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'InvalidParameter,*'
        # Named once: .NET's " (Parameter 'ClientIdentifier')" suffix no longer repeats it.
        $failures[0].Exception.Message | Should -BeExactly "Parameter 'ClientIdentifier' must be at most 20 characters. '123456789012345678901' has 21."
        $failures[0].TargetObject | Should -Be '123456789012345678901'
        (Get-EmulatorStat -Emulator $script:Emulator).total | Should -Be 3
    }

    It 'takes the number in a piped object''s property, not the whole object as text' {
        # An object whose ClientIdentifier (or alias) holds a number fails both binding tries without conversion, and
        # the binder then converted the whole object to text: "@{ClientIdentifier=1234567}", "System.Data.DataRow".
        $table = New-Object System.Data.DataTable
        [void]$table.Columns.Add('NumeroCliente', [int])
        [void]$table.Rows.Add(778899)
        $inputs = @(
            ('{"ClientIdentifier":1234567}' | ConvertFrom-Json)
            $table.Rows[0]
            [pscustomobject]@{ Cuenta = 3049812.0 }
            @{ ClientId = [long]4455 }
            '1234567-8'
            998877
        )
        $rows = $inputs | Get-EnelDebtStatus -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures | Should -BeNullOrEmpty
        $rows.ClientIdentifier | Should -Be @('1234567', '778899', '3049812', '4455', '1234567-8', '998877')
        (Get-EmulatorStat -Emulator $script:Emulator).total | Should -Be 6
    }

    It 'refuses a piped object with no client identifier, naming the parameter, and runs the others' {
        $rows = @([pscustomobject]@{ Name = 'sin numero' }, '1234567-8') | Get-EnelDebtStatus -ErrorVariable failures -ErrorAction SilentlyContinue
        @($rows).Count | Should -Be 1
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentTransformationError*'
        $failures[0].Exception.Message | Should -BeLike "*'ClientIdentifier' takes text, a number, or an object with a property named ClientIdentifier, ClientId*"
        (Get-EmulatorStat -Emulator $script:Emulator).total | Should -Be 1
    }

    It 'sends nothing for bad input' {
        Get-EnelDebtStatus -ClientIdentifier '12.345.678-9' -ErrorVariable failure -ErrorAction SilentlyContinue
        $failure[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
        (Get-EmulatorStat -Emulator $script:Emulator).total | Should -Be 0
    }

    It 'turns Status ERROR into an error record with the Khipu code' {
        Get-EnelDebtStatus -ClientIdentifier '555-0' -ErrorVariable failure -ErrorAction SilentlyContinue
        $failure[0].FullyQualifiedErrorId | Should -BeLike 'Khipu.E301,*'
        $failure[0].Exception.ErrorType | Should -Be 'DoNotRetry'
        (Get-EmulatorStat -Emulator $script:Emulator).total | Should -Be 1
    }

    It 'retries a transient 503 and reports each attempt in -Verbose' {
        Add-EmulatorFault -Emulator $script:Emulator -Fault @{ kind = 'ServiceUnavailable' }
        $verbose = Get-EnelDebtStatus -ClientIdentifier '1234567-8' -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        ($verbose.Message -join "`n") | Should -Match '503'
        ($verbose.Message -join "`n") | Should -Match 'attempt 2'
        (Get-EmulatorStat -Emulator $script:Emulator).total | Should -Be 2
    }

    It 'never shows the API key in -Debug output' {
        # $DebugPreference rather than -Debug: on Windows PowerShell 5.1, -Debug means Inquire, a prompt per record.
        $debug = & { $DebugPreference = 'Continue'; Get-EnelDebtStatus -ClientIdentifier '1234567-8' } 5>&1 | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }
        $debug | Should -Not -BeNullOrEmpty
        ($debug.Message -join "`n") | Should -Not -Match ([regex]::Escape($script:ApiKeyText))
    }

    It 'emits operations in asynchronous mode' {
        $operation = Get-EnelDebtStatus -ClientIdentifier '1234567-8' -CallbackUrl 'http://127.0.0.1:9/callback'
        $operation | Should -BeOfType (Get-ModuleType -FullName 'EnergyData.Khipu.KhipuOperation')
        $operation.OperationId | Should -Not -BeNullOrEmpty
        $operation.LifeSpan | Should -Not -BeNullOrEmpty
    }
}

Describe 'Get-EnelBillDocument' {
    It 'saves the decoded document and emits its path' {
        $row = Get-EnelBillDocument -ClientIdentifier '1234567-8' -Email 'facturas@example.cl' -OutputPath $TestDrive
        $row.Path | Should -Exist
        $row.ContentType | Should -Be 'application/pdf'
        [System.IO.File]::ReadAllBytes($row.Path)[0..3] | Should -Be @(37, 80, 68, 70)
    }

    It 'refuses an address that breaks the documented pattern' {
        Get-EnelBillDocument -ClientIdentifier '1234567-8' -Email 'not-an-address' -ErrorVariable failure -ErrorAction SilentlyContinue
        $failure[0].Exception.Message | Should -BeLike "*'Email' must match*"
    }
}

Describe 'Get-CenNonconformity' {
    It 'follows every page until the total' {
        $rows = Get-CenNonconformity -DebtorRut 76999999 -From '2019-11-14' -To '2025-11-05' -PageSize 1000
        $rows.Count | Should -Be 4575
        $rows[-1].Index | Should -Be 4574
        $rows[0].RutDeudor | Should -Be '76999999'
    }

    It 'supports -First, -Skip and -IncludeTotalCount without fetching extra pages' {
        Reset-Emulator -Emulator $script:Emulator
        # Rows 350..449 span pages 1 and 2 of 200 rows: exactly two billed requests.
        $result = Get-CenNonconformity -RutDeudor 76999999 -FechaCreacionDelCasoDesde '2019-11-14' -FechaCreacionDelCasoHasta '2025-11-05' -Filas 200 -Skip 350 -First 100 -IncludeTotalCount
        # No [EnergyData.Khipu.CenNonconformity] literal: PowerShell 7 cannot resolve the module's types by name.
        $rowType = Get-ModuleType -FullName 'EnergyData.Khipu.CenNonconformity'
        $total = $result | Where-Object { $_.PSObject.BaseObject -isnot $rowType }
        $rows = $result | Where-Object { $_.PSObject.BaseObject -is $rowType }
        $rows.Count | Should -Be 100
        $rows[0].Index | Should -Be 350
        "$total" | Should -Match '4575'
        # Ahead of the rows, as PowerShell's paging convention has it.
        $result[0].PSObject.BaseObject | Should -Not -BeOfType $rowType
        (Get-EmulatorStat -Emulator $script:Emulator).total | Should -Be 2
    }

    It 'reads a year-first date as the same date in every culture and calendar' {
        # PowerShell's binder reads date text in the session's culture and calendar: on th-TH '2024-01-05' was the
        # Buddhist year 2024 (1481) and refused as out of range; on ar-SA it was no date at all.
        $thread = [System.Threading.Thread]::CurrentThread
        $saved = $thread.CurrentCulture
        try {
            foreach ($culture in 'th-TH', 'ar-SA') {
                $thread.CurrentCulture = [cultureinfo]::new($culture)
                $row = Get-CenNonconformity -DebtorRut 76999999 -From '2024-01-05' -To '2024-12-31 23:59' -First 1 -ErrorAction Stop
                $piped = [pscustomobject]@{ RutDeudor = '76999999'; From = '2024-01-05'; To = '2024-12-31' } | Get-CenNonconformity -First 1 -ErrorAction Stop
                foreach ($result in $row, $piped) {
                    $result.From | Should -Be ([datetime]::new(2024, 1, 5))
                    $result.To.Year | Should -Be 2024
                }
            }
        }
        finally {
            $thread.CurrentCulture = $saved
        }
    }

    It 'requests and writes nothing with -First 0, as Select-Object -First 0 does' {
        Reset-Emulator -Emulator $script:Emulator
        $result = @(Get-CenNonconformity -DebtorRut 76999999 -From '2019-11-14' -To '2025-11-05' -First 0 -IncludeTotalCount)
        $submitted = @(Get-CenNonconformity -DebtorRut 76999999 -From '2019-11-14' -To '2025-11-05' -First 0 -CallbackUrl 'https://hooks.example.com/khipu')
        $result.Count | Should -Be 0
        $submitted.Count | Should -Be 0
        (Get-EmulatorStat -Emulator $script:Emulator).total | Should -Be 0
    }

    It 'stops at a total the emulator is told to report' {
        # 6 rows in pages of 3: the total says page 2 is the last; without it, a full page 2 would call for page 3.
        Reset-Emulator -Emulator $script:Emulator
        Set-EmulatorKhipuOption -Emulator $script:Emulator -Option @{ cenTotal = 6 }
        $rows = @(Get-CenNonconformity -DebtorRut 12345678 -From '2024-01-01' -To '2024-12-31' -PageSize 3)
        $rows.Count | Should -Be 6
        (Get-EmulatorStat -Emulator $script:Emulator).total | Should -Be 2
        Reset-Emulator -Emulator $script:Emulator
    }

    It 'writes an unknown total (accuracy 0) with -IncludeTotalCount when Khipu reports none' {
        Reset-Emulator -Emulator $script:Emulator
        Set-EmulatorKhipuOption -Emulator $script:Emulator -Option @{ omitCenTotal = $true; cenTotal = 6 }
        try {
            $result = @(Get-CenNonconformity -DebtorRut 12345678 -From '2024-01-01' -To '2024-12-31' -PageSize 3 -IncludeTotalCount)
        }
        finally {
            Reset-Emulator -Emulator $script:Emulator
        }
        $rowType = Get-ModuleType -FullName 'EnergyData.Khipu.CenNonconformity'
        $totals = @($result | Where-Object { $_.PSObject.BaseObject -isnot $rowType })
        $totals | Should -HaveCount 1
        $totals[0].Accuracy | Should -Be 0
        [uint64] $totals[0] | Should -Be 0
    }

    It 'exports every field of a page whose rows differ, under the same columns on every row' {
        # Six rows in one page: Acreedor is null on rows 0 and 3 and an object on the others, FechaCierre is on the odd
        # rows only and Observaciones on row 4 only. Export-Csv takes its columns from the first row.
        Reset-Emulator -Emulator $script:Emulator
        Set-EmulatorKhipuOption -Emulator $script:Emulator -Option @{ cenTotal = 6; cenVaryingFields = $true }
        $csv = Join-Path $TestDrive 'cen-varying.csv'
        Get-CenNonconformity -DebtorRut 12345678 -From '2024-01-01' -To '2024-12-31' -PageSize 6 -WarningVariable warnings |
            Export-Csv -Path $csv -NoTypeInformation
        Reset-Emulator -Emulator $script:Emulator

        $rows = @(Import-Csv -Path $csv)
        $rows.Count | Should -Be 6
        $columns = $rows[0].PSObject.Properties.Name
        foreach ($name in 'Acreedor.Rut', 'Acreedor.RazonSocial', 'FechaCierre', 'Observaciones') {
            $columns | Should -Contain $name
        }
        # A null Acreedor is the empty Acreedor.* columns, not a column of its own.
        $columns | Should -Not -Contain 'Acreedor'
        $rows[0].'Acreedor.Rut' | Should -BeNullOrEmpty
        $rows[1].'Acreedor.Rut' | Should -Not -BeNullOrEmpty
        $rows[0].FechaCierre | Should -BeNullOrEmpty
        $rows[1].FechaCierre | Should -Not -BeNullOrEmpty
        $rows[4].Observaciones | Should -Be 'Revisar con el acreedor'
        # A field first seen on a later row takes its place in the item's order: FechaCierre between Estado and Concepto.
        [array]::IndexOf($columns, 'FechaCierre') | Should -BeGreaterThan ([array]::IndexOf($columns, 'Estado'))
        [array]::IndexOf($columns, 'FechaCierre') | Should -BeLessThan ([array]::IndexOf($columns, 'Concepto'))
        $warnings.Count | Should -Be 0
    }

    It 'gives later pages the first page''s columns and warns once of a field only they have' {
        # Pages of three: the first page (rows 0-2) has no Observaciones; rows 4 and 9, on later pages, have one.
        Reset-Emulator -Emulator $script:Emulator
        Set-EmulatorKhipuOption -Emulator $script:Emulator -Option @{ cenTotal = 12; cenVaryingFields = $true }
        $rows = @(Get-CenNonconformity -DebtorRut 12345678 -From '2024-01-01' -To '2024-12-31' -PageSize 3 -WarningVariable warnings -WarningAction SilentlyContinue)
        Reset-Emulator -Emulator $script:Emulator

        $rows.Count | Should -Be 12
        $fieldsOf = { param($row) @($row.PSObject.Properties | Where-Object MemberType -EQ 'NoteProperty' | ForEach-Object Name) }
        $first = & $fieldsOf $rows[0]
        $first | Should -Contain 'Acreedor.Rut'
        $first | Should -Contain 'FechaCierre'
        $first | Should -Not -Contain 'Observaciones'
        foreach ($row in $rows) {
            # Every row has the first row's fields, in its order; rows 4 and 9 have their Observaciones after them.
            $fields = & $fieldsOf $row
            $fields[0..($first.Count - 1)] | Should -Be $first
            $fields.Count | Should -Be ($first.Count + [int]($row.Index % 5 -eq 4))
        }
        $rows[4].Observaciones | Should -Be 'Revisar con el acreedor'
        $warnings.Count | Should -Be 1
        "$($warnings[0])" | Should -BeLike '*Row 4 of RUT 12345678*Observaciones*'
    }

    It 'refuses reversed dates before any request' {
        Reset-Emulator -Emulator $script:Emulator
        Get-CenNonconformity -DebtorRut 76999999 -From '2025-01-02' -To '2025-01-01' -ErrorVariable failure -ErrorAction SilentlyContinue
        $failure[0].Exception.Message | Should -BeLike "*'From' must not be later than 'To'*"
        (Get-EmulatorStat -Emulator $script:Emulator).total | Should -Be 0
    }
}

Describe 'Get-TgrExpiredAgreement' {
    It 'gives one row per resolution, or per debt and instalment with -Detail' {
        $resolutions = @(Get-TgrExpiredAgreement)
        $resolutions.Count | Should -BeGreaterThan 0
        $resolutions[0].ResolutionId | Should -Not -BeNullOrEmpty
        @(Get-TgrExpiredAgreement -Detail Debt)[0] | Should -BeOfType (Get-ModuleType -FullName 'EnergyData.Khipu.TgrDebt')
        @(Get-TgrExpiredAgreement -Detail Instalment)[0] | Should -BeOfType (Get-ModuleType -FullName 'EnergyData.Khipu.TgrInstalment')
    }

    It 'binds -AccountCredential by property name from piped objects; an empty value means the session''s' {
        Reset-Emulator -Emulator $script:Emulator
        $rows = @(
            [pscustomobject]@{ AccountCredential = $script:Account }
            [pscustomobject]@{ AccountCredential = '' }
        ) | Get-TgrExpiredAgreement -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures | Should -BeNullOrEmpty
        @($rows).Count | Should -BeGreaterThan 1
        (Get-EmulatorStat -Emulator $script:Emulator).total | Should -Be 2
    }

    It 'refuses a user name alone as that input''s error, without a prompt, and runs the others' {
        Reset-Emulator -Emulator $script:Emulator
        $rows = @('tgr-user', $script:Account) | Get-TgrExpiredAgreement -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures | Should -HaveCount 1
        $failures[0].Exception.Message | Should -BeLike "*'AccountCredential' must be a PSCredential*"
        @($rows).Count | Should -BeGreaterThan 0
        (Get-EmulatorStat -Emulator $script:Emulator).total | Should -Be 1
    }

    It 'never shows the account password in -Debug output' {
        $debug = & { $DebugPreference = 'Continue'; Get-TgrExpiredAgreement } 5>&1 | Where-Object { $_ -is [System.Management.Automation.DebugRecord] }
        $debug | Should -Not -BeNullOrEmpty
        ($debug.Message -join "`n") | Should -Not -Match ([regex]::Escape($script:AccountPassword))
    }
}

Describe 'Invoke-KhipuRequest' {
    It 'calls any service path and returns the Data as JSON' {
        $response = Invoke-KhipuRequest -Path 'v1/cl/services/enel.cl/debt-status-by-client-identifier' -RequestData @{ ClientIdentifier = '1234567-8' }
        ($response.DataJson | ConvertFrom-Json).DebtStatus.Address | Should -Be 'AGUSTINAS 1234, SANTIAGO'
    }

    It 'sends a [pscustomobject] from ConvertFrom-Json inside -RequestData as a JSON object, arrays included' {
        # Windows PowerShell 5.1 has no ConvertFrom-Json -AsHashtable: this is how nested RequestData is usually built there.
        $filtros = '{"Comuna":"Santiago","Tramos":[{"Desde":1},{"Desde":2}]}' | ConvertFrom-Json
        $debug = & { $DebugPreference = 'Continue'; Invoke-KhipuRequest -Path 'v1/cl/services/enel.cl/debt-status-by-client-identifier' -RequestData @{ ClientIdentifier = '1234567-8'; Filtros = $filtros } } 5>&1 |
            Where-Object { $_ -is [System.Management.Automation.DebugRecord] }
        ($debug.Message -join "`n") | Should -Match ([regex]::Escape('"Filtros":{"Comuna":"Santiago","Tramos":[{"Desde":1},{"Desde":2}]}'))
    }

    It 'takes a [pscustomobject] from ConvertFrom-Json as -RequestData itself, on the command line and by property name' {
        $data = '{"ClientIdentifier":"1234567-8"}' | ConvertFrom-Json
        $response = Invoke-KhipuRequest -Path 'v1/cl/services/enel.cl/debt-status-by-client-identifier' -RequestData $data
        ($response.DataJson | ConvertFrom-Json).DebtStatus.Address | Should -Be 'AGUSTINAS 1234, SANTIAGO'

        $piped = [pscustomobject]@{ Path = 'v1/cl/services/enel.cl/debt-status-by-client-identifier'; RequestData = $data } | Invoke-KhipuRequest
        ($piped.DataJson | ConvertFrom-Json).DebtStatus.Address | Should -Be 'AGUSTINAS 1234, SANTIAGO'
    }

    It 'refuses a value with no JSON form, naming RequestData, before anything is sent' {
        Reset-Emulator -Emulator $script:Emulator
        $folder = Get-Item -LiteralPath $TestDrive
        $response = Invoke-KhipuRequest -Path 'v1/cl/services/enel.cl/debt-status-by-client-identifier' -RequestData @{ ClientIdentifier = '1234567-8'; Folder = $folder } -ErrorVariable failures -ErrorAction SilentlyContinue
        $response | Should -BeNullOrEmpty
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'InvalidParameter*'
        $failures[0].Exception.Message | Should -BeLike "*'RequestData' cannot hold a value of type System.IO.DirectoryInfo*"
        (Get-EmulatorStat -Emulator $script:Emulator).total | Should -Be 0
    }
}

Describe 'Client credentials against the emulator token endpoint' {
    It 'fetches one token for several calls' {
        Reset-Emulator -Emulator $script:Emulator
        $secret = ConvertTo-SecureString -String $script:Credentials.khipuClientSecret -AsPlainText -Force
        $client = [pscredential]::new($script:Credentials.khipuClientId, $secret)
        $connection = Connect-EnergyData -KhipuClientCredential $client -KhipuTokenUri $script:Credentials.khipuTokenUri -KhipuBaseUri $script:Emulator.BaseUri -PassThru
        try {
            $rows = '1234567-8', '3049812-1' | Get-EnelDebtStatus -Connection $connection
            $rows.Count | Should -Be 2
            $rows[0].Address | Should -Be 'AGUSTINAS 1234, SANTIAGO'
            (Get-EmulatorStat -Emulator $script:Emulator).khipuTokenRequests | Should -Be 1
        }
        finally {
            # Handed out with -PassThru, it would stay open until the process ends: close it, also when a check failed.
            $connection | Disconnect-EnergyData -Confirm:$false
            Connect-EnergyData -KhipuApiKey $script:ApiKey -KhipuBaseUri $script:Emulator.BaseUri -KhipuAccountCredential $script:Account -MaxRetryCount 2
        }
    }
}

Describe 'Throttling and order' {
    It 'keeps input order while running requests concurrently' {
        $ids = 1..40 | ForEach-Object { '{0}00' -f $_ }
        $rows = $ids | Get-EnelDebtStatus -ThrottleLimit 8
        $rows.ClientIdentifier | Should -Be $ids
    }
}

Describe 'Progress of a bulk command stopped downstream' {
    It 'completes every progress bar when Select-Object -First stops Get-EnelDebtStatus before EndProcessing' {
        # Select-Object -First stops the upstream command from inside its ProcessRecord (the WriteObject that gives the
        # second row throws), and EndProcessing never runs: the command's "x of y inputs done" bar must still get its
        # Completed record. A runspace of its own keeps the progress records in Streams.Progress; it uses this
        # process's session connection.
        Reset-Emulator -Emulator $script:Emulator
        Invoke-RestMethod -Method Post -Uri ($script:Emulator.BaseUri + '_emulator/options') -ContentType 'application/json' -Body (@{ LatencyMilliseconds = 300 } | ConvertTo-Json) | Out-Null
        $manifest = Join-Path (Get-Module EnergyData).ModuleBase 'EnergyData.psd1'
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript(@"
Import-Module '$manifest'
1..20 | ForEach-Object { '{0:D7}' -f `$_ } | Get-EnelDebtStatus -ErrorAction SilentlyContinue | Select-Object -First 2
"@)
            $rows = $shell.Invoke()

            $rows.Count | Should -Be 2
            $records = @($shell.Streams.Progress)
            $shown = @($records | Where-Object RecordType -EQ 'Processing' | Select-Object -ExpandProperty ActivityId -Unique)
            $shown.Count | Should -BeGreaterThan 0 -Because 'inputs of 300 ms each keep the command running long enough for its bar'
            foreach ($activityId in $shown) {
                $last = $records | Where-Object ActivityId -EQ $activityId | Select-Object -Last 1
                $last.RecordType | Should -Be 'Completed' -Because "bar $activityId ($($last.StatusDescription)) must not stay on screen"
            }
        }
        finally {
            $shell.Dispose()
            Reset-Emulator -Emulator $script:Emulator
        }
    }
}
