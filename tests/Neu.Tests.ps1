#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# End-to-end scenarios for the NEU cmdlets against the emulator (NEU under neu/). Run by ./build.ps1 -Task Test.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:Emulator = Start-TestEmulator
    $credentials = Invoke-RestMethod -Uri ($script:Emulator.BaseUri + '_emulator/credentials')
    $script:TokenText = $credentials.neuToken
    $script:NeuBaseUri = $credentials.neuBaseUri
    $script:Token = ConvertTo-SecureString -String $script:TokenText -AsPlainText -Force
    Connect-EnergyData -NeuToken $script:Token -NeuBaseUri $script:NeuBaseUri -MaxRetryCount 2
}

AfterAll {
    Disconnect-EnergyData -Confirm:$false
    Stop-TestEmulator -Emulator $script:Emulator
}

Describe 'Account to consumption to CSV' {
    BeforeEach { Reset-Emulator -Emulator $script:Emulator }

    It 'streams the readings of every account into one CSV file' {
        $out = Join-Path $TestDrive 'consumption.csv'
        Get-NeuAccount | Get-NeuConsumption -Interval Daily -From 2025-01-01 -To 2025-02-01 | Export-Csv $out -NoTypeInformation

        $rows = Import-Csv $out
        # Account 41 has two services, account 42 one; 31 days each.
        $rows.Count | Should -Be 93
        ($rows | Select-Object -ExpandProperty AccountId -Unique | Sort-Object) | Should -Be @('41', '42')
        $rows[0].PSObject.Properties.Name | Should -Contain 'Consumption'
        $rows[0].PSObject.Properties.Name | Should -Contain 'VoltageC'
        $rows[0].Interval | Should -Be 'Daily'
        (Get-EmulatorStat -Emulator $script:Emulator).byPath.'neu/data/consumption' | Should -Be 2
    }

    It 'takes services from -ExpandService rows by ServiceId' {
        $rows = Get-NeuAccount -Id 41 -ExpandService | Get-NeuConsumption -Interval Hourly -From 2025-01-01 -To 2025-01-02
        $rows.Count | Should -Be 48
        ($rows | Select-Object -ExpandProperty ServiceId -Unique | Sort-Object) | Should -Be @(282, 283)
    }

    It 'reads account ids from a CSV file with the API column name' {
        $csv = Join-Path $TestDrive 'accounts.csv'
        [pscustomobject]@{ id_account = 42 } | Export-Csv $csv -NoTypeInformation
        $rows = Import-Csv $csv | Get-NeuConsumption -Interval Daily -From '2025-01-01' -To '2025-01-03'
        $rows.Count | Should -Be 2
        $rows[0].AccountName | Should -Be 'Cuenta Sur'
    }

    It 'binds every column of a CSV with the body fields of the API document: Id_account,Interval,From,To' {
        # With two parameter sets (ByService the default) the binder settled every such row on ByService, because
        # Interval, From and To (in both sets) bound there first, and each row failed for want of -ServiceId.
        $csv = Join-Path $TestDrive 'requests.csv'
        @(
            'Id_account,Interval,From,To'
            '42,DAILY,2025-01-01,2025-01-03'
            '41,MONTHLY,2025-01-01,2025-03-01'
        ) | Set-Content -Path $csv
        $rows = Import-Csv $csv | Get-NeuConsumption -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures | Should -BeNullOrEmpty
        $south = @($rows | Where-Object AccountId -EQ 42)
        $south.Count | Should -Be 2
        $south[0].Interval | Should -Be 'Daily'
        @($rows | Where-Object AccountId -EQ 41).Count | Should -BeGreaterThan 0
        ($rows | Where-Object AccountId -EQ 41 | Select-Object -ExpandProperty Interval -Unique) | Should -Be 'Monthly'
        (Get-EmulatorStat -Emulator $script:Emulator).byPath.'neu/data/consumption' | Should -Be 2
    }

    It 'refuses a CSV cell that does not convert (an interval, an id, a date), naming the parameter, and runs the other rows' {
        # The binder drops such a value from a piped object without a word: WEEKLY ran as Daily, abc as "no id".
        Reset-Emulator -Emulator $script:Emulator
        $csv = Join-Path $TestDrive 'bad-cells.csv'
        @(
            'Id_account,Interval,From,To'
            '41,WEEKLY,2025-01-01,2025-01-03'
            'abc,DAILY,2025-01-01,2025-01-03'
            '41,DAILY,junk,2025-01-03'
            '42,DAILY,2025-01-01,2025-01-03'
        ) | Set-Content -Path $csv
        $rows = @(Import-Csv $csv | Get-NeuConsumption -ErrorVariable failures -ErrorAction SilentlyContinue)
        $failures | Should -HaveCount 3
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentTransformationError*'
        $failures[0].Exception.Message | Should -BeLike "*'Interval' must be one of Hourly, Daily, Monthly*'WEEKLY'*"
        $failures[1].Exception.Message | Should -BeLike "*'AccountId' must be a whole number*'abc'*"
        $failures[2].Exception.Message | Should -BeLike "*'From' must be a date*'junk'*"
        $failures[0].TargetObject.Interval | Should -Be 'WEEKLY'
        $failures[1].TargetObject.Id_account | Should -Be 'abc'
        ($rows | Select-Object -ExpandProperty AccountId -Unique) | Should -Be 42
        (Get-EmulatorStat -Emulator $script:Emulator).byPath.'neu/data/consumption' | Should -Be 1
    }

    It 'refuses an id that is not written as a whole number (41.5, 4,1, a fractional number) instead of rounding it to another id' {
        # The binder itself rounds '41.5' to 42 and reads '4,1' as 41: another account's data, without a word.
        Reset-Emulator -Emulator $script:Emulator
        $inputs = @(
            [pscustomobject]@{ id_account = '41.5' }
            [pscustomobject]@{ id_account = '4,1' }
            [pscustomobject]@{ id_account = 41.5 }
            [pscustomobject]@{ id_account = ' 42 ' }
        )
        $accounts = @($inputs | Get-NeuAccount -ErrorVariable failures -ErrorAction SilentlyContinue)
        $failures | Should -HaveCount 3
        $failures | ForEach-Object { $_.Exception.Message | Should -BeLike "*'Id' must be a whole number*" }
        $failures[0].Exception.Message | Should -BeLike "*'41.5'*"
        $failures[1].Exception.Message | Should -BeLike "*'4,1'*"
        ($accounts | Select-Object -ExpandProperty AccountId -Unique) | Should -Be 42
        (Get-EmulatorStat -Emulator $script:Emulator).byPath.'neu/accounts/41' | Should -BeNullOrEmpty
    }

    It 'reads a date cell in the session''s culture, as PowerShell binds it (31-01-2025 on an es-CL system)' {
        $row = [pscustomobject]@{ Id_account = '42'; Interval = 'DAILY'; From = '01-01-2025'; To = '31-01-2025' }
        $saved = [System.Threading.Thread]::CurrentThread.CurrentCulture
        try {
            [System.Threading.Thread]::CurrentThread.CurrentCulture = [System.Globalization.CultureInfo]::new('es-CL')
            $rows = @($row | Get-NeuConsumption -ErrorVariable failures -ErrorAction SilentlyContinue)
        }
        finally {
            [System.Threading.Thread]::CurrentThread.CurrentCulture = $saved
        }
        $failures | Should -BeNullOrEmpty
        $rows.Count | Should -BeGreaterThan 2
        ($rows | Measure-Object -Property Date -Maximum).Maximum | Should -BeLessThan ([datetime]'2025-02-01')
    }

    It 'binds a typed object with AccountId, From and To' {
        # Typed values bind at the binder's first by-property-name stage, where the old default set took From and To.
        $rows = [pscustomobject]@{ AccountId = [long]42; From = [datetime]'2025-01-01'; To = [datetime]'2025-01-03' } | Get-NeuConsumption
        $rows.Count | Should -Be 2
        ($rows | Select-Object -ExpandProperty ServiceId -Unique) | Should -Be 450
    }

    It 'reads every service of the user when neither id is given and nothing is piped' {
        $rows = Get-NeuConsumption -From 2025-01-01 -To 2025-01-03
        @($rows | Select-Object -ExpandProperty AccountId -Unique).Count | Should -BeGreaterThan 1
        (Get-EmulatorStat -Emulator $script:Emulator).byPath.'neu/data/consumption' | Should -Be 1
    }

    It 'refuses -AccountId $null (an unset variable) instead of reading every service' {
        $unset = $null
        Get-NeuConsumption -AccountId $unset -From 2025-01-01 -To 2025-01-03 -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $failures | Should -HaveCount 1
        $failures[0].Exception.Message | Should -BeLike "*'AccountId' or 'ServiceId' is required*"
        (Get-EmulatorStat -Emulator $script:Emulator).total | Should -Be 0
    }

    It 'reports an input that names neither an account nor services, and still runs the others' {
        $inputs = @(
            [pscustomobject]@{ AccountId = 42; From = '2025-01-01'; To = '2025-01-03' }
            [pscustomobject]@{ Name = 'no id'; From = '2025-01-01'; To = '2025-01-03' }
            [pscustomobject]@{ ServiceId = 282; From = '2025-01-01'; To = '2025-01-03' }
        )
        $rows = $inputs | Get-NeuConsumption -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'InvalidParameter,*'
        $failures[0].Exception.Message | Should -BeLike "*'AccountId' or 'ServiceId' is required*"
        ($rows | Select-Object -ExpandProperty ServiceId -Unique | Sort-Object) | Should -Be @(282, 450)
        (Get-EmulatorStat -Emulator $script:Emulator).byPath.'neu/data/consumption' | Should -Be 2
    }

    It 'refuses both ids when one is on the command line, per input' {
        $rows = Get-NeuService -Id 282 | Get-NeuConsumption -AccountId 41 -From 2025-01-01 -To 2025-01-03 -ErrorVariable failures -ErrorAction SilentlyContinue
        $rows | Should -BeNullOrEmpty
        $failures | Should -HaveCount 1
        $failures[0].Exception.Message | Should -BeLike "*'AccountId' cannot be combined with ServiceId*"
        [int](Get-EmulatorStat -Emulator $script:Emulator).byPath.'neu/data/consumption' | Should -Be 0
    }

    It 'refuses a piped object whose AccountId is empty instead of listing every account' {
        # What Get-NeuService passes on for a service NEU sent without id_account: $null binds to -Id.
        $rows = [pscustomobject]@{ AccountId = $null } | Get-NeuAccount -ErrorVariable failures -ErrorAction SilentlyContinue
        $rows | Should -BeNullOrEmpty
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'InvalidParameter,*'
        $failures[0].Exception.Message | Should -BeLike "*'Id' must not be empty*"
        (Get-EmulatorStat -Emulator $script:Emulator).requests | Should -Be 0
    }

    It 'refuses an empty AccountId, and an object with no id is PowerShell''s binding error, not a list of every account' {
        # -Id is the only parameter that takes pipeline input: an object without an id property binds nothing, so the
        # binder reports it (InputObjectNotBound) and ProcessRecord never runs for it.
        $rows = [pscustomobject]@{ AccountId = $null }, [pscustomobject]@{ Note = 'all' }, [pscustomobject]@{ AccountId = 41 } |
            Get-NeuAccount -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures | Should -HaveCount 2
        @($failures | Where-Object { $_.Exception.Message -like "*'Id' must not be empty*" }) | Should -HaveCount 1
        @($failures | Where-Object { $_.FullyQualifiedErrorId -like 'InputObjectNotBound*' }) | Should -HaveCount 1
        @($rows).AccountId | Should -Be 41
    }

    It 'refuses a range that ends before it starts without sending anything' {
        { Get-NeuConsumption -AccountId 41 -From 2025-02-01 -To 2025-01-01 -ErrorAction Stop } | Should -Throw -ExpectedMessage "*'From' must not be later than 'To'*"
        (Get-EmulatorStat -Emulator $script:Emulator).requests | Should -Be 0
    }
}

Describe 'Get-NeuService' {
    BeforeEach { Reset-Emulator -Emulator $script:Emulator }

    It 'lists every service of the user when called without arguments, without prompting' {
        # -Id was mandatory in the default set: this call prompted for it (and failed in a non-interactive host).
        $services = Get-NeuService
        ($services | Select-Object -ExpandProperty ServiceId) | Should -Be @(282, 283, 450)
        ($services | Select-Object -ExpandProperty AccountId) | Should -Be @(41, 41, 42)
        $stats = Get-EmulatorStat -Emulator $script:Emulator
        $stats.byPath.'neu/services' | Should -Be 1
        $stats.requests | Should -Be 1
    }

    It 'takes piped services by -Id, though they carry an AccountId too' {
        # The default set is tried first for each piped object, and -Id is in it: -AccountId is never reached.
        $services = Get-NeuAccount -Id 41 -ExpandService | Get-NeuService -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures | Should -BeNullOrEmpty
        ($services | Select-Object -ExpandProperty ServiceId) | Should -Be @(282, 283)
        $stats = Get-EmulatorStat -Emulator $script:Emulator
        $stats.byPath.'neu/services/282' | Should -Be 1
        $stats.byPath.'neu/services/283' | Should -Be 1
        [int]$stats.byPath.'neu/services' | Should -Be 0
    }

    It 'takes piped accounts by -AccountId' {
        $services = Get-NeuAccount | Get-NeuService
        ($services | Select-Object -ExpandProperty ServiceId) | Should -Be @(282, 283, 450)
        $stats = Get-EmulatorStat -Emulator $script:Emulator
        $stats.byPath.'neu/accounts/41' | Should -Be 1
        $stats.byPath.'neu/accounts/42' | Should -Be 1
        [int]$stats.byPath.'neu/services' | Should -Be 0
    }

    It 'takes ids by value and from a CSV id_service column' {
        $fromValues = 450, 282 | Get-NeuService
        ($fromValues | Select-Object -ExpandProperty ServiceId) | Should -Be @(450, 282)
        $csv = Join-Path $TestDrive 'services.csv'
        @('id_service,id_account', '283,41') | Set-Content -Path $csv
        $fromCsv = @(Import-Csv $csv | Get-NeuService)
        $fromCsv | Should -HaveCount 1
        $fromCsv[0].ServiceId | Should -Be 283
        [int](Get-EmulatorStat -Emulator $script:Emulator).byPath.'neu/accounts/41' | Should -Be 0
    }

    It 'refuses a piped service whose ServiceId is empty instead of listing every service' {
        $rows = [pscustomobject]@{ ServiceId = $null; AccountId = 41 } | Get-NeuService -ErrorVariable failures -ErrorAction SilentlyContinue
        $rows | Should -BeNullOrEmpty
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'InvalidParameter,*'
        $failures[0].Exception.Message | Should -BeLike "*'Id' must not be empty*"
        (Get-EmulatorStat -Emulator $script:Emulator).requests | Should -Be 0
    }

    It 'follows an override of the Services route' {
        # An override whose query changes NEU's answer: the emulator counts requests by path only and the request trace
        # hides query strings, so an override that only added a query ('GET services/?scope=all') passed just as well
        # when it was ignored. GET services/?id=283 answers with that one service; the default route with all three.
        $connection = Connect-EnergyData -NeuToken $script:Token -NeuBaseUri $script:NeuBaseUri -NeuRoute @{ Services = 'GET services/?id=283' } -PassThru
        try {
            $services = @(Get-NeuService -Connection $connection)
            $services | Should -HaveCount 1
            $services[0].ServiceId | Should -Be 283
            (Get-EmulatorStat -Emulator $script:Emulator).byPath.'neu/services' | Should -Be 1
            (Get-NeuRoute -Connection $connection -Name Services).Source | Should -Be 'Override'
        }
        finally {
            # Handed out with -PassThru, it would stay open until the process ends: close it, then connect as the rest
            # of this file expects (it is the session's connection until then).
            $connection | Disconnect-EnergyData -Confirm:$false
            Connect-EnergyData -NeuToken $script:Token -NeuBaseUri $script:NeuBaseUri -MaxRetryCount 2
        }
    }
}

Describe 'Get-NeuFrontierConsumption' {
    BeforeEach { Reset-Emulator -Emulator $script:Emulator }

    It 'takes the code in a piped object''s property, numbers included, not the whole object as text' {
        # A numeric SicCode property failed both binding tries without conversion, and the binder then converted the
        # whole object to text ("System.Data.DataRow", "@{sic_code=67890}").
        $table = New-Object System.Data.DataTable
        [void]$table.Columns.Add('SicCode', [int])
        [void]$table.Rows.Add(12345)
        $inputs = @(
            ('{"sic_code":67890}' | ConvertFrom-Json)
            $table.Rows[0]
            [pscustomobject]@{ Frontier = 'Frt00123' }
            'Frt00456'
        )
        $rows = $inputs | Get-NeuFrontierConsumption -From 2024-01-01 -To 2024-01-01T01:00 -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures | Should -BeNullOrEmpty
        ($rows | Select-Object -ExpandProperty SicCode -Unique) | Should -Be @('67890', '12345', 'Frt00123', 'Frt00456')
        (Get-EmulatorStat -Emulator $script:Emulator).byPath.'neu/ddv/consumption' | Should -Be 4
    }

    It 'refuses a piped object with no SIC code, naming the parameter, and runs the others' {
        $rows = @([pscustomobject]@{ Name = 'x' }, 'Frt00123') | Get-NeuFrontierConsumption -From 2024-01-01 -To 2024-01-01T01:00 -ErrorVariable failures -ErrorAction SilentlyContinue
        ($rows | Select-Object -ExpandProperty SicCode -Unique) | Should -Be 'Frt00123'
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'ParameterArgumentTransformationError*'
        $failures[0].Exception.Message | Should -BeLike "*'SicCode' takes text, a number, or an object with a property named SicCode, sic_code, Sic_codes or Frontier*"
        (Get-EmulatorStat -Emulator $script:Emulator).byPath.'neu/ddv/consumption' | Should -Be 1
    }
}

Describe 'Paged NEU cmdlets' {
    BeforeEach { Reset-Emulator -Emulator $script:Emulator }

    It 'reads every page of notifications, 20 per page' {
        $notifications = Get-NeuNotification
        $notifications.Count | Should -Be 45
        ($notifications | Select-Object -ExpandProperty Page -Unique) | Should -Be @(1, 2, 3)
    }

    It 'says in -Verbose which page each bills request is' {
        $verbose = Get-NeuBill -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $requests = @($verbose.Message | Where-Object { $_ -match '^POST \S+/neu/bills/ \((page \d+)\) -> 200 OK' } | ForEach-Object { $Matches[1] })
        $requests.Count | Should -BeGreaterThan 1
        $requests | Should -Be @(1..$requests.Count | ForEach-Object { "page $_" })
    }

    It 'ends the bills at a page answered 204 No Content, and a 204 elsewhere is no rows, without an error' {
        # NEU's document gives no status codes; 204 for an empty result or a page past the last is common REST.
        Add-EmulatorFault -Emulator $script:Emulator -Fault @{ kind = 'NoContent'; pathContains = 'neu/bills/'; bodyContains = '"Page":2' }
        $bills = @(Get-NeuBill -ErrorVariable billErrors)
        $bills.Count | Should -Be 10
        $billErrors | Should -BeNullOrEmpty
        (Get-EmulatorStat -Emulator $script:Emulator).byPath.'neu/bills' | Should -Be 2

        Add-EmulatorFault -Emulator $script:Emulator -Fault @{ kind = 'NoContent'; pathContains = 'neu/pqrs' } -Count 2
        @(Get-NeuPqrs -ErrorVariable pqrsErrors) | Should -HaveCount 0
        @(Invoke-NeuRequest POST pqrs/ @{} -ErrorVariable invokeErrors) | Should -HaveCount 0
        $pqrsErrors | Should -BeNullOrEmpty
        $invokeErrors | Should -BeNullOrEmpty
    }

    It 'retries a NEU 503 by its status, and -Verbose says nothing about Khipu' {
        # The emulator's injected 503 carries a Khipu-shaped body (Error.Type RETRY_IMMEDIATELY): NEU has no such contract.
        Add-EmulatorFault -Emulator $script:Emulator -Fault @{ kind = 'ServiceUnavailable'; pathContains = 'neu/accounts' }
        $verbose = Get-NeuAccount -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        ($verbose.Message -join "`n") | Should -Match '503 ServiceUnavailable'
        ($verbose.Message -join "`n") | Should -Not -Match 'Khipu'
        (Get-EmulatorStat -Emulator $script:Emulator).byPath.'neu/accounts' | Should -Be 2
    }

    It 'honours -First and -Skip on bills without reading further pages' {
        $bills = Get-NeuBill -Skip 3 -First 12
        $bills.Count | Should -Be 12
        $bills[0].BillId | Should -Be 9003
        (Get-EmulatorStat -Emulator $script:Emulator).byPath.'neu/bills' | Should -Be 2
    }

    It 'refuses an empty id cell as empty, not as the id 0, and sends nothing for it' {
        # The binder makes an empty CSV cell the id 0, which was refused as "It was 0": a value nobody gave.
        $rows = @'
ServiceId,AccountId,Id_project
282,41,41
,,
  ,  ,  
'@ | ConvertFrom-Csv
        $bills = @($rows | Get-NeuBill -First 1 -ErrorVariable billErrors -ErrorAction SilentlyContinue)
        $neugets = @($rows | Get-NeuNeuget -ErrorVariable neugetErrors -ErrorAction SilentlyContinue)
        $rules = @($rows | Get-NeuRule -First 1 -ErrorVariable ruleErrors -ErrorAction SilentlyContinue)
        $bills.Count | Should -Be 1
        $neugets.Count | Should -BeGreaterThan 0
        $rules.Count | Should -Be 1
        foreach ($failures in @($billErrors, $neugetErrors, $ruleErrors)) {
            $failures | Should -HaveCount 2
            $failures.Exception.Message | Should -Match "must not be empty when it is given .* This input's value is empty\."
            $failures.Exception.Message | Should -Not -Match 'It was 0'
        }
        $stats = (Get-EmulatorStat -Emulator $script:Emulator).byPath
        $stats.'neu/bills' | Should -Be 1
        $stats.'neu/rules' | Should -Be 1
    }

    It 'writes bill concepts as their own rows' {
        $out = Join-Path $TestDrive 'concepts.csv'
        Get-NeuBill -ServiceId 282 -ExpandConcept | Export-Csv $out -NoTypeInformation
        $concepts = Import-Csv $out
        $concepts.Count | Should -Be 30
        $concepts[0].AsicCode | Should -Be 'ASIC-EA'
    }

    It 'adds the total with -IncludeTotalCount' {
        $result = @(Get-NeuBillDueDate -First 5 -IncludeTotalCount)
        # No [EnergyData.Neu.NeuBillDueDate] literal: PowerShell 7 cannot resolve the module's types by name.
        $rowType = Get-ModuleType -FullName 'EnergyData.Neu.NeuBillDueDate'
        @($result | Where-Object { $_.PSObject.BaseObject -is $rowType }) | Should -HaveCount 5
        # The rest is what PagingParameters.NewTotalCount makes of the server's total (the emulator reports 25 bills):
        # the count as a UInt64, with an Accuracy note (1.0: exact) and a ToString of 'Total count: 25'.
        $total = @($result | Where-Object { $_.PSObject.BaseObject -isnot $rowType })
        $total | Should -HaveCount 1
        $total[0].PSObject.BaseObject | Should -BeOfType ([uint64])
        $total[0].PSObject.BaseObject | Should -Be 25
        $total[0].Accuracy | Should -Be 1.0
        # The template is a PowerShell resource string, which a localized Windows PowerShell translates.
        $total[0].ToString() | Should -Match '\b25$'
        if ([cultureinfo]::CurrentUICulture.TwoLetterISOLanguageName -eq 'en') {
            $total[0].ToString() | Should -Be 'Total count: 25'
        }
    }
}

Describe 'Answers in shapes other than the document shows' {
    BeforeEach { Reset-Emulator -Emulator $script:Emulator }

    It 'makes an error object answered with HTTP 200 an InvalidResponse error for that input, not an empty row' {
        Add-EmulatorFault -Emulator $script:Emulator -Fault @{ kind = 'DetailWithSuccess'; pathContains = 'neu/rules/'; errorDescription = 'Token invalido' }
        $rules = @(Get-NeuRule -ErrorVariable failures -ErrorAction SilentlyContinue)
        $rules | Should -HaveCount 0
        $failures | Should -HaveCount 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'InvalidResponse,*'
        $failures[0].Exception.Message | Should -Match "Rules \(POST rules/, page 1\).*'Token invalido'"
        (Get-EmulatorStat -Emulator $script:Emulator).byPath.'neu/rules' | Should -Be 1
    }

    It 'follows total when it is the only paging field' {
        Set-EmulatorNeuOption -Emulator $script:Emulator -Option @{ PagingTotalOnly = $true }
        $notifications = @(Get-NeuNotification)
        $notifications | Should -HaveCount 45
        ($notifications | Select-Object -ExpandProperty Page -Unique) | Should -Be @(1, 2, 3)
    }

    It 'writes the first of several platform payments and warns once for the command' {
        Set-EmulatorNeuOption -Emulator $script:Emulator -Option @{ PlatformPaymentsAsList = $true }
        $bills = @(Get-NeuBill -WarningVariable warnings -WarningAction SilentlyContinue)
        ($bills | Where-Object BillId -EQ 9000).PlatformPaymentMethod | Should -Be 'PSE'
        $warnings | Should -HaveCount 1
        $warnings[0].Message | Should -BeLike 'Bill 9000 has 2 payments in platform_payments*'
    }

    It 'names every interaction with the name written once beside the list' {
        Set-EmulatorNeuOption -Emulator $script:Emulator -Option @{ InteractionNameAtTop = $true }
        # The file stays ASCII: Windows PowerShell 5.1 reads a script without a BOM in the ANSI code page.
        (Get-NeuNotificationInteraction | Select-Object -ExpandProperty Name -Unique) | Should -Be "Ana G$([char]0xF3)mez"
    }

    It 'writes only the account and the services asked for when the id route answers every account' {
        Set-EmulatorNeuOption -Emulator $script:Emulator -Option @{ IdRoutesIgnoreId = $true }
        $accounts = @(Get-NeuAccount -Id 41 -WarningVariable warnings -WarningAction SilentlyContinue)
        $accounts.AccountId | Should -Be 41
        $warnings | Should -HaveCount 1
        $warnings[0].Message | Should -Match 'for account 41 with rows of other accounts too \(42\)'
        (Get-NeuService -AccountId 41 -WarningAction SilentlyContinue).ServiceId | Should -Be @(282, 283)
    }
}

Describe 'Routes and the token' {
    BeforeEach { Reset-Emulator -Emulator $script:Emulator }

    It 'lists the route table and marks the three confirmed routes' {
        $routes = Get-NeuRoute
        $routes.Count | Should -Be 16
        ($routes | Where-Object Confirmed).Name | Sort-Object | Should -Be @('BillsOverdue', 'Consumption', 'FrontierConsumption')
    }

    It 'reports an unknown route name as an error naming -Name' {
        $routes = Get-NeuRoute -Name @('Consumption', 'Nope') -ErrorVariable failures -ErrorAction SilentlyContinue
        $routes | Should -HaveCount 1
        $failures[0].Exception.Message | Should -BeLike "*'Name' must name a NEU endpoint*"
    }

    It 'follows a route override for the session' {
        $connection = Connect-EnergyData -NeuToken $script:Token -NeuBaseUri $script:NeuBaseUri -NeuRoute @{ Accounts = 'GET v2/accounts' } -PassThru
        try {
            (Get-NeuAccount -Connection $connection).Count | Should -Be 2
            (Get-EmulatorStat -Emulator $script:Emulator).byPath.'neu/v2/accounts' | Should -Be 1
            (Get-NeuRoute -Connection $connection -Name Accounts).Source | Should -Be 'Override'
        }
        finally {
            # Handed out with -PassThru, it would stay open until the process ends: close it, then connect as the rest
            # of this file expects (it is the session's connection until then).
            $connection | Disconnect-EnergyData -Confirm:$false
            Connect-EnergyData -NeuToken $script:Token -NeuBaseUri $script:NeuBaseUri -MaxRetryCount 2
        }
    }

    It 'refuses a malformed override naming NeuRoute' {
        { Connect-EnergyData -NeuToken $script:Token -NeuRoute @{ Notifications = 'POST notifications/' } } |
            Should -Throw -ExpectedMessage "*'NeuRoute' must keep the placeholder {page}*"
    }

    It 'never shows the token at -Debug' {
        # $DebugPreference rather than -Debug: on Windows PowerShell 5.1, -Debug means Inquire, a prompt per record.
        $lines = & { $DebugPreference = 'Continue'; $VerbosePreference = 'Continue'; Get-NeuBillOverdue } 5>&1 4>&1 | Out-String
        $lines | Should -Not -BeNullOrEmpty
        $lines | Should -Not -Match ([regex]::Escape($script:TokenText))
    }

    It 'never shows the token a server echoes back, in the error message, the record or -Debug' {
        # Masking by field name missed {"detail":"rejected Bearer eyJ..."} and an X-Debug-Authorization header.
        Reset-Emulator -Emulator $script:Emulator
        Add-EmulatorFault -Emulator $script:Emulator -Fault @{ kind = 'EchoCredentials'; pathContains = 'overdue' }
        $lines = & { $DebugPreference = 'Continue'; $VerbosePreference = 'Continue'; Get-NeuBillOverdue -ErrorVariable script:failures -ErrorAction SilentlyContinue } 5>&1 4>&1 | Out-String
        $script:failures | Should -HaveCount 1
        $script:failures[0].Exception.Message | Should -BeLike '*rejected Bearer `*`*`**'
        ($script:failures | Out-String) + $script:failures[0].Exception.Message + $lines | Should -Not -Match ([regex]::Escape($script:TokenText))
        $lines | Should -Match 'X-Debug-Authorization'
    }

    It 'ends the command with AuthenticationFailed for a token NEU refuses' {
        $wrong = ConvertTo-SecureString -String 'not-the-token' -AsPlainText -Force
        $connection = Connect-EnergyData -NeuToken $wrong -NeuBaseUri $script:NeuBaseUri -PassThru
        try {
            { Get-NeuBillOverdue -Connection $connection -ErrorAction Stop } | Should -Throw -ErrorId 'AuthenticationFailed*'
        }
        finally {
            # Handed out with -PassThru, it would stay open until the process ends: close it, then connect as the rest
            # of this file expects (it is the session's connection until then).
            $connection | Disconnect-EnergyData -Confirm:$false
            Connect-EnergyData -NeuToken $script:Token -NeuBaseUri $script:NeuBaseUri -MaxRetryCount 2
        }
    }
}

Describe 'Invoke-NeuRequest' {
    It 'names the command, the method and the path when NEU answers an error' {
        $null = Invoke-NeuRequest -Method DELETE -Path rules/999999/ -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures | Should -HaveCount 1
        $failures[0].Exception.Message | Should -BeLike '*to Invoke-NeuRequest (DELETE *rules/999999/*'
    }

    It 'flattens nested objects for Export-Csv' {
        $out = Join-Path $TestDrive 'raw-bills.csv'
        Invoke-NeuRequest POST bills/ @{ Id_service = 450; Page = 1 } | Export-Csv $out -NoTypeInformation
        $rows = Import-Csv $out
        $rows.Count | Should -Be 10
        $rows[0].PSObject.Properties.Name | Should -Contain 'id_bill'
        $rows[0].PSObject.Properties.Name | Should -Contain 'platform_payments.method'
        $rows[0].RequestPath | Should -Be 'bills/'
    }

    It 'keeps every column in Export-Csv when the rows of a response differ' {
        # Service 283's first bill is unpaid ("platform_payments": null): Export-Csv takes its columns from the first
        # row, so the payment of every paid bill was lost when each row had only its own fields.
        $out = Join-Path $TestDrive 'raw-bills-283.csv'
        $rows = Invoke-NeuRequest POST bills/ @{ Id_service = 283; Page = 1 }
        $names = @($rows | ForEach-Object { $_.PSObject.Properties.Name -join ',' } | Sort-Object -Unique)
        $names | Should -HaveCount 1 -Because 'every row of one response has the same properties, in the same order'
        $rows | Export-Csv $out -NoTypeInformation
        $csv = Import-Csv $out
        $csv.Count | Should -Be 10
        $columns = $csv[0].PSObject.Properties.Name
        $columns | Should -Contain 'platform_payments.date'
        $columns | Should -Contain 'platform_payments.method'
        $columns | Should -Contain 'platform_payments.payment_Value'
        $columns | Should -Not -Contain 'platform_payments' -Because 'a null nested object is its dotted columns left empty'
        $paid = @($csv | Where-Object state -EQ 'Pagada')
        $paid.Count | Should -Be 5
        $paid | ForEach-Object { $_.'platform_payments.method' | Should -Be 'PSE' }
        @($csv | Where-Object state -EQ 'Pendiente') | Should -HaveCount 5
        @($csv | Where-Object state -EQ 'Pendiente' | Where-Object 'platform_payments.method' -NE '') | Should -HaveCount 0
    }

    It 'gives the rows of every response of one command the columns of its first row' {
        $out = Join-Path $TestDrive 'raw-bills-pages.csv'
        $requests = 1, 2 | ForEach-Object { [pscustomobject]@{ Method = 'POST'; Path = 'bills/'; Body = @{ Id_service = 283; Page = $_ } } }
        $rows = $requests | Invoke-NeuRequest -WarningVariable warnings
        $rows.Count | Should -Be 15
        @($rows | ForEach-Object { $_.PSObject.Properties.Name -join ',' } | Sort-Object -Unique) | Should -HaveCount 1
        $warnings | Should -BeNullOrEmpty
        $rows | Export-Csv $out -NoTypeInformation
        @(Import-Csv $out | Where-Object 'platform_payments.method' -EQ 'PSE').Count | Should -Be 7
    }

    It 'warns when a later response brings a field the first row has not, which Export-Csv would not write' {
        $requests = @(
            [pscustomobject]@{ Method = 'GET'; Path = 'bills/overdue/' }
            [pscustomobject]@{ Method = 'POST'; Path = 'bills/'; Body = @{ Id_service = 283; Page = 1 } }
        )
        $rows = $requests | Invoke-NeuRequest -WarningVariable warnings -WarningAction SilentlyContinue
        $rows.Count | Should -Be 13
        $warnings | Should -HaveCount 1
        $warnings[0].Message | Should -Match 'Export-Csv'
        $warnings[0].Message | Should -Match 'RawJson'
        $rows[3].PSObject.Properties.Name | Should -Contain 'due_date' -Because 'later rows get the first row''s columns, empty'
        $rows[3].due_date | Should -BeNullOrEmpty
        $rows[3].service | Should -Be 'Local comercial' -Because 'a row''s own fields stay on it'
    }

    It 'shows the response''s own fields in the console, not only where it came from' {
        $text = Invoke-NeuRequest GET bills/overdue/ | Out-String -Width 200
        $text | Should -Match 'id_bill'
        $text | Should -Match 'due_date'
        $text | Should -Match '9001'
        $text | Should -Not -Match 'RawJson'
        $row = Invoke-NeuRequest GET bills/overdue/ | Select-Object -First 1
        $row.RequestPath | Should -Be 'bills/overdue/' -Because 'the fixed properties are still there for Select-Object and Export-Csv'
        $row.RawJson | Should -Match 'id_bill'
    }

    It 'takes a [pscustomobject] from ConvertFrom-Json as -Body itself' {
        $body = '{"Id_service":450,"Page":1}' | ConvertFrom-Json
        $rows = Invoke-NeuRequest POST bills/ $body
        @($rows).Count | Should -Be 10
    }

    It 'sends a [pscustomobject] from ConvertFrom-Json inside -Body as a JSON object' {
        $filter = '{"Status":["open","paid"],"Range":{"From":1,"To":3}}' | ConvertFrom-Json
        $debug = & { $DebugPreference = 'Continue'; Invoke-NeuRequest POST bills/ @{ Id_service = 450; Page = 1; Filter = $filter } } 5>&1 |
            Where-Object { $_ -is [System.Management.Automation.DebugRecord] }
        ($debug.Message -join "`n") | Should -Match ([regex]::Escape('"Filter":{"Status":["open","paid"],"Range":{"From":1,"To":3}}'))
    }

    It 'sends no DELETE with -WhatIf, and reports no error' {
        Reset-Emulator -Emulator $script:Emulator
        $result = Invoke-NeuRequest -Method DELETE -Path rules/12/ -WhatIf -ErrorVariable failures
        $result | Should -BeNullOrEmpty
        $failures | Should -BeNullOrEmpty
        (Get-EmulatorStat -Emulator $script:Emulator).requests | Should -Be 0
    }

    It 'sends a POST without asking: NEU reads with POST' {
        Reset-Emulator -Emulator $script:Emulator
        $rows = Invoke-NeuRequest POST bills/ @{ Id_service = 450; Page = 1 } -Confirm
        $rows.Count | Should -Be 10
        (Get-EmulatorStat -Emulator $script:Emulator).byPath.'neu/bills' | Should -Be 1
    }

    It 'sends nothing at all with -WhatIf, not even a POST' {
        Reset-Emulator -Emulator $script:Emulator
        $rows = Invoke-NeuRequest POST bills/ @{ Id_service = 450; Page = 1 } -WhatIf
        $rows | Should -BeNullOrEmpty
        (Get-EmulatorStat -Emulator $script:Emulator).requests | Should -Be 0
    }

    It 'reports a bad path before asking' {
        $null = Invoke-NeuRequest -Method DELETE -Path ../rules/12/ -WhatIf -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'InvalidParameter,*'
    }
}
