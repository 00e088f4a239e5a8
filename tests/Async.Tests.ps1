#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.5.0' }
# Asynchronous mode end to end: the emulator answers 202 and POSTs each result to the session's callback
# receiver; Wait-KhipuOperation turns the inbox files back into the synchronous rows. Run by ./build.ps1 -Task Test.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-BuiltModule
    $script:Emulator = Start-TestEmulator
    # The key the emulator accepts, as it publishes it (a test value, not a secret).
    $script:ApiKey = ConvertTo-SecureString -String (Get-EmulatorCredential -Emulator $script:Emulator).khipuApiKey -AsPlainText -Force
    Connect-EnergyData -KhipuApiKey $script:ApiKey -KhipuBaseUri $script:Emulator.BaseUri -MaxRetryCount 2
    $script:Clients = @('1234567-8', '3049812-1', '7766554', '778890')

    # Rows compared without the columns that differ by nature between two calls.
    function ConvertTo-ComparableCsv {
        param([Parameter(Mandatory)] [string] $Path)
        Import-Csv -Path $Path | Select-Object -Property * -ExcludeProperty @('OperationId', 'RetrievedAt') | ConvertTo-Csv -NoTypeInformation
    }
}

AfterAll {
    Stop-KhipuCallbackReceiver
    Disconnect-EnergyData -Confirm:$false
    Stop-TestEmulator -Emulator $script:Emulator
}

Describe 'Start-KhipuCallbackReceiver' {
    BeforeEach {
        Stop-KhipuCallbackReceiver
        $script:Inbox = Join-Path $TestDrive ('inbox-' + [guid]::NewGuid().ToString('N'))
    }

    It 'listens on loopback, creates the inbox and never shows its secret' {
        $receiver = Start-KhipuCallbackReceiver -InboxPath $script:Inbox
        $receiver.IsListening | Should -BeTrue
        $receiver.ListenPrefix | Should -Match '^http://(127\.0\.0\.1|localhost):\d+/$'
        $receiver.RedactedCallbackUrl | Should -Match '/\*\*\*$'
        Test-Path -Path $script:Inbox -PathType Container | Should -BeTrue
        (Get-KhipuCallbackReceiver).InboxPath | Should -Be $receiver.InboxPath
    }

    It 'starts and stops nothing with -WhatIf' {
        Start-KhipuCallbackReceiver -InboxPath $script:Inbox -WhatIf | Should -BeNullOrEmpty
        Get-KhipuCallbackReceiver | Should -BeNullOrEmpty
        Start-KhipuCallbackReceiver -InboxPath $script:Inbox | Out-Null
        Stop-KhipuCallbackReceiver -WhatIf
        (Get-KhipuCallbackReceiver).IsListening | Should -BeTrue
    }

    It 'reports an inbox folder under a file as InboxFolderFailed naming the folder and -InboxPath, not as a connection failure' {
        $file = Join-Path $TestDrive ('a-file-' + [guid]::NewGuid().ToString('N'))
        Set-Content -Path $file -Value 'not a folder'
        $inbox = Join-Path $file 'inbox'
        $failure = $null
        try { Start-KhipuCallbackReceiver -InboxPath $inbox | Out-Null } catch { $failure = $_ }
        $failure | Should -Not -BeNullOrEmpty
        $failure.FullyQualifiedErrorId | Should -BeLike 'InboxFolderFailed,*'
        $failure.CategoryInfo.Category | Should -Be 'WriteError'
        $failure.TargetObject | Should -Be $inbox
        $failure.Exception.Message | Should -BeLike "*'$inbox'*-InboxPath*"
        $failure.ErrorDetails.RecommendedAction | Should -BeLike '*-InboxPath*'
        Get-KhipuCallbackReceiver | Should -BeNullOrEmpty
    }

    It 'refuses -Async inputs before sending (and billing) anything when the inbox cannot take their pending records' {
        Reset-Emulator -Emulator $script:Emulator
        Start-KhipuCallbackReceiver -InboxPath $script:Inbox | Out-Null
        $pending = Join-Path $script:Inbox 'pending'
        Remove-Item -Path $pending -Recurse -Force
        Set-Content -Path $pending -Value 'a file where pending/ was'

        $operations = Get-EnelDebtStatus -ClientIdentifier 1801, 1802 -Async -ErrorVariable failures -ErrorAction SilentlyContinue

        (Get-EmulatorStat -Emulator $script:Emulator).total | Should -Be 0 -Because 'the inbox is checked before each request is sent'
        $operations | Should -BeNullOrEmpty
        $failures.Count | Should -Be 2
        $failures.TargetObject | Should -Be @('1801', '1802')
        foreach ($failure in $failures) {
            $failure.FullyQualifiedErrorId | Should -BeLike 'InboxFolderFailed,*'
            $failure.Exception.Message | Should -BeLike '*Nothing was sent for this input, so nothing was billed*'
        }
    }

    It 'refuses a second receiver while one runs' {
        Start-KhipuCallbackReceiver -InboxPath $script:Inbox | Out-Null
        { Start-KhipuCallbackReceiver -InboxPath $script:Inbox } | Should -Throw -ErrorId 'ReceiverRunning*'
    }

    It 'stops, and Stop-KhipuCallbackReceiver -PassThru gives the final counters' {
        $receiver = Start-KhipuCallbackReceiver -InboxPath $script:Inbox
        $final = Stop-KhipuCallbackReceiver -PassThru
        # One status object: without it, $null.IsListening would pass the -BeFalse below.
        @($final) | Should -HaveCount 1
        $final | Should -BeOfType (Get-ModuleType -FullName 'EnergyData.Callbacks.CallbackReceiverStatus')
        $final.ListenPrefix | Should -Be $receiver.ListenPrefix
        $final.IsListening | Should -BeFalse
        $final.Received | Should -Be 0
        Get-KhipuCallbackReceiver | Should -BeNullOrEmpty
    }

    It 'stops at once on Ctrl+C while a delivery is still arriving, and does not store it' {
        Reset-Emulator -Emulator $script:Emulator
        try {
            # The emulator sends half of each result, then pauses 5 seconds before the rest; the stop alone would wait
            # for it (up to the read timeout, 60 s, and 5 more). Long enough for the stop to be still waiting at the check
            # below (which comes under a second after the delivery starts on a loaded 2-core machine), short enough for
            # the test to wait for the delivery attempt to end before it looks for a stored result, and so leave no
            # delivery under way for the next test.
            Invoke-RestMethod -Method Post -Uri ($script:Emulator.BaseUri + '_emulator/callbacks/options') -ContentType 'application/json' -Body (@{ StallMilliseconds = 5000 } | ConvertTo-Json) | Out-Null
            Start-KhipuCallbackReceiver -InboxPath $script:Inbox -ReadTimeoutSeconds 60 | Out-Null
            $operation = Get-EnelDebtStatus -ClientIdentifier '1234567-8' -Async
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while ((Get-KhipuCallbackReceiver).Received -lt 1 -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 50
            }
            (Get-KhipuCallbackReceiver).Received | Should -BeGreaterOrEqual 1 -Because 'the emulator starts delivering the result shortly after its 202 (waited 10 s)'

            # Ctrl+C is PowerShell.Stop() on the running pipeline: run the stop in another runspace of this process (the
            # receiver is per process) and stop that pipeline once the stop is waiting (the session has no receiver then).
            $manifest = Join-Path (Get-Module EnergyData).ModuleBase 'EnergyData.psd1'
            $shell = [powershell]::Create()
            try {
                $null = $shell.AddScript("Import-Module '$manifest'; Stop-KhipuCallbackReceiver -PassThru")
                $handle = $shell.BeginInvoke()
                $deadline = [DateTime]::UtcNow.AddSeconds(30)
                while ($null -ne (Get-KhipuCallbackReceiver) -and [DateTime]::UtcNow -lt $deadline) {
                    Start-Sleep -Milliseconds 50
                }
                Get-KhipuCallbackReceiver | Should -BeNullOrEmpty -Because 'the stop in the other runspace takes the receiver from the session before it waits (waited 30 s)'

                Start-Sleep -Milliseconds 300
                $handle.IsCompleted | Should -BeFalse -Because 'the stop waits for the delivery whose body is still arriving'
                $watch = [System.Diagnostics.Stopwatch]::StartNew()
                $shell.Stop()
                $watch.Elapsed.TotalSeconds | Should -BeLessThan 5
            }
            finally {
                $shell.Dispose()
            }

            Get-KhipuCallbackReceiver | Should -BeNullOrEmpty
            # The emulator's delivery attempt ends once its stall is over: had the receiver still been reading the body
            # then, the result would have been stored and acknowledged.
            $callbacks = Wait-EmulatorCallbackIdle -Emulator $script:Emulator -TimeoutSec 30
            $callbacks.pending | Should -Be 0 -Because 'the stalled delivery ends 5 s after it starts (waited 30 s)'
            $callbacks.attempts | Should -Be 1
            $callbacks.delivered | Should -Be 0 -Because 'an abandoned delivery is answered 503, not acknowledged'
            Test-Path -Path (Join-Path $script:Inbox ($operation.OperationId + '.json')) | Should -BeFalse
        }
        finally {
            # A failure above may leave the stalled delivery under way: let it end before the next test.
            Wait-EmulatorCallbackIdle -Emulator $script:Emulator -TimeoutSec 30 | Out-Null
            Reset-Emulator -Emulator $script:Emulator
        }
    }

    It 'makes -Async fail before sending when no receiver runs' {
        Reset-Emulator -Emulator $script:Emulator
        { Get-EnelDebtStatus -ClientIdentifier '1234567-8' -Async } | Should -Throw -ExpectedMessage "*'Async' needs a running callback receiver*"
        (Get-EmulatorStat -Emulator $script:Emulator).total | Should -Be 0
    }
}

Describe 'Get-EnelDebtStatus -Async | Wait-KhipuOperation' {
    BeforeAll {
        Stop-KhipuCallbackReceiver
        $script:Inbox = Join-Path $TestDrive 'inbox'
        $script:Receiver = Start-KhipuCallbackReceiver -InboxPath $script:Inbox
    }

    BeforeEach { Reset-Emulator -Emulator $script:Emulator }

    AfterEach {
        # No test leaves a delivery under way for the next: a late result would change another test's inbox or counters.
        (Wait-EmulatorCallbackIdle -Emulator $script:Emulator -TimeoutSec 30).pending | Should -Be 0 -Because 'every delivery a test caused must have ended before the next test (waited 30 s)'
    }

    It 'exports the same rows as the synchronous call' {
        $syncCsv = Join-Path $TestDrive 'sync.csv'
        $asyncCsv = Join-Path $TestDrive 'async.csv'
        $script:Clients | Get-EnelDebtStatus | Export-Csv -Path $syncCsv -NoTypeInformation

        $script:Clients | Get-EnelDebtStatus -Async | Wait-KhipuOperation -Timeout 60 | Sort-Object ClientIdentifier | Export-Csv -Path $asyncCsv -NoTypeInformation

        $expected = Import-Csv -Path $syncCsv | Sort-Object ClientIdentifier | Select-Object -Property * -ExcludeProperty @('OperationId', 'RetrievedAt') | ConvertTo-Csv -NoTypeInformation
        $actual = ConvertTo-ComparableCsv -Path $asyncCsv
        $actual | Should -Be $expected
        (Import-Csv -Path $asyncCsv).Count | Should -Be $script:Clients.Count
    }

    It 'checks -OutputPath before any command in front of it sends (and bills) anything' {
        $missing = Join-Path $TestDrive 'no-such-folder'
        # Objects that Get-EnelBillDocument binds (ClientIdentifier and Email, by property name only): each would be sent
        # were -OutputPath checked only once the first operation reached Wait-KhipuOperation. Bare strings bind nothing.
        $inputs = $script:Clients | ForEach-Object { [pscustomobject]@{ ClientIdentifier = $_; Email = 'facturas@example.cl' } }
        { $inputs | Get-EnelBillDocument -Async | Wait-KhipuOperation -OutputPath $missing } |
            Should -Throw -ErrorId 'InvalidParameter*' -ExpectedMessage "*'OutputPath' must be an existing folder*"
        (Get-EmulatorStat -Emulator $script:Emulator).total | Should -Be 0 -Because 'the emulator must receive no request'
    }

    It 'refuses, per input and before sending, a CallbackUrl that a piped object carries under -Async; an empty cell counts as not given' {
        # BeginProcessing sees only the command line: the rows' URLs would win over -Async, one of them the receiver's
        # redacted URL, sent to Khipu literally.
        $inputs = @(
            [pscustomobject]@{ ClientIdentifier = '8001'; CallbackUrl = 'http://127.0.0.1:9/_cb/elsewhere' }
            [pscustomobject]@{ ClientIdentifier = '8002'; CallbackUrl = $script:Receiver.RedactedCallbackUrl }
        )
        # The binder gives an empty cell to -CallbackUrl as an empty relative Uri (seen in a CSV that has a URL in another row).
        $csv = ConvertFrom-Csv -InputObject "ClientIdentifier,CallbackUrl`n8003,`n8006,http://127.0.0.1:9/_cb/csv"

        $operations = @($inputs + $csv | Get-EnelDebtStatus -Async -ErrorVariable failures -ErrorAction SilentlyContinue)

        $failures.Count | Should -Be 3
        $failures.TargetObject | Should -Be @('8001', '8002', '8006')
        foreach ($failure in $failures) {
            $failure.FullyQualifiedErrorId | Should -BeLike 'InvalidParameter,*'
            $failure.Exception.Message | Should -BeLike "Parameter 'Async' cannot be combined with -CallbackUrl. This input carries a CallbackUrl of its own*"
        }
        $operations.Count | Should -Be 1
        $operations[0].InputIdentifier | Should -Be '8003'
        $operations[0].CallbackUrl | Should -Be $script:Receiver.RedactedCallbackUrl
        (Get-EmulatorStat -Emulator $script:Emulator).total | Should -Be 1 -Because 'only the row without a CallbackUrl of its own is sent'
        ($operations | Wait-KhipuOperation -Timeout 60).ClientIdentifier | Should -Be '8003'
    }

    It 'refuses a CallbackUrl with the secret hidden (***), naming CallbackUrl, and sends nothing' {
        $rows = ConvertFrom-Csv -InputObject "ClientIdentifier,CallbackUrl`n8004,$($script:Receiver.RedactedCallbackUrl)"
        $rows | Get-EnelDebtStatus -ErrorVariable failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-EnelDebtStatus -ClientIdentifier 8005 -CallbackUrl $script:Receiver.RedactedCallbackUrl -ErrorVariable +failures -ErrorAction SilentlyContinue | Should -BeNullOrEmpty

        $failures.Count | Should -Be 2
        foreach ($failure in $failures) {
            $failure.FullyQualifiedErrorId | Should -BeLike 'InvalidParameter,*'
            $failure.Exception.Message | Should -BeLike "Parameter 'CallbackUrl' must be a real URL, not one with a secret hidden.*use -Async*"
        }
        (Get-EmulatorStat -Emulator $script:Emulator).total | Should -Be 0
    }

    It 'gives an acknowledgement without an OperationId as that input''s error naming it, not a row that cannot be collected' {
        Set-EmulatorKhipuOption -Emulator $script:Emulator -Option @{ acknowledgementBody = 'Accepted, thanks' }

        $operations = Get-EnelDebtStatus -ClientIdentifier 2002, 2003 -Async -ErrorVariable failures -ErrorAction SilentlyContinue

        $operations | Should -BeNullOrEmpty
        $failures.Count | Should -Be 2
        $failures.TargetObject | Should -Be @('2002', '2003')
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'InvalidResponse,*'
        $failures[0].Exception.Message | Should -BeLike 'Khipu accepted the EnelDebtStatus request for ClientIdentifier 2002 without an OperationId*billed*'
    }

    It 'gives an OperationId that another input of the command was given as the later input''s error naming both' {
        $exampleId = '6baf6c19-e485-463b-ae24-a821b025c8a4'
        Set-EmulatorKhipuOption -Emulator $script:Emulator -Option @{ fixedOperationId = $exampleId }

        $operations = @('1601', '1602', '1603' | Get-EnelDebtStatus -Async -ThrottleLimit 1 -ErrorVariable failures -ErrorAction SilentlyContinue)

        $operations.Count | Should -Be 1
        $operations[0].InputIdentifier | Should -Be '1601'
        $failures.Count | Should -Be 2
        $failures.TargetObject | Should -Be @('1602', '1603')
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'InvalidResponse,*'
        $failures[0].Exception.Message | Should -BeLike "Khipu gave the EnelDebtStatus request for ClientIdentifier 1602 the OperationId $exampleId, which it had already given to the EnelDebtStatus request for ClientIdentifier 1601 in this command.*"
    }

    It 'ignores a LifeSpan earlier than the submission of an operation submitted with -CallbackUrl (its SubmittedAt column)' {
        # A server that echoes the document's example LifeSpan, from 2017. Such an operation has no pending record to
        # take its submission time from: without the SubmittedAt column, the wait ended at once with LIFESPAN_EXCEEDED.
        Set-EmulatorKhipuOption -Emulator $script:Emulator -Option @{ lifeSpanText = '2017-07-22T00:00:00-0400' }
        $csv = Join-Path $TestDrive 'old-lifespan.csv'
        Get-EnelDebtStatus -ClientIdentifier 1301 -CallbackUrl 'https://hooks.example.com/khipu/4f9c2a' | Export-Csv -Path $csv -NoTypeInformation
        (Import-Csv -Path $csv).SubmittedAt | Should -Not -BeNullOrEmpty
        $elsewhere = Join-Path $TestDrive ('elsewhere-' + [guid]::NewGuid().ToString('N'))
        $manifest = Join-Path (Get-Module -Name EnergyData).ModuleBase 'EnergyData.psd1'

        # The wait runs in a runspace of its own, since without -Timeout it lasts until a result comes. Its streams
        # are read by count only: enumerating the stream of a running PowerShell blocks until the run ends.
        $shell = [powershell]::Create()
        try {
            $null = $shell.AddScript({
                    param($Manifest, $Csv, $Inbox)
                    Import-Module $Manifest
                    Import-Csv -Path $Csv | Wait-KhipuOperation -InboxPath $Inbox
                }).AddArgument($manifest).AddArgument($csv).AddArgument($elsewhere)
            $waiting = $shell.BeginInvoke()
            Start-Sleep -Seconds 3

            # Still waiting for the result, as for an operation without a LifeSpan.
            $waiting.IsCompleted | Should -BeFalse
            $shell.Streams.Error.Count | Should -Be 0
            $shell.Stop()
        }
        finally {
            $shell.Dispose()
        }
    }

    It 'collects an operation that Khipu answered at once (its ResultJson) from an exported row, without waiting' {
        # A 200 with Data to a request with an external CallbackUrl: nothing is delivered, and no inbox holds it.
        Set-EmulatorKhipuOption -Emulator $script:Emulator -Option @{ answerCallbackRequestsAtOnce = $true }
        $csv = Join-Path $TestDrive 'answered-at-once.csv'
        Get-EnelDebtStatus -ClientIdentifier 1201 -CallbackUrl 'https://hooks.example.com/khipu/4f9c2a' | Export-Csv -Path $csv -NoTypeInformation
        (Import-Csv -Path $csv).ResultJson | Should -Not -BeNullOrEmpty
        $elsewhere = Join-Path $TestDrive ('elsewhere-' + [guid]::NewGuid().ToString('N'))

        $rows = @(Import-Csv -Path $csv | Wait-KhipuOperation -InboxPath $elsewhere -Timeout 20 -ErrorVariable failures -ErrorAction SilentlyContinue)

        $failures | Should -BeNullOrEmpty
        $rows.Count | Should -Be 1
        $rows[0].PSObject.TypeNames[0] | Should -Be 'EnergyData.Khipu.EnelDebtStatus'
        $rows[0].ClientIdentifier | Should -Be '1201'
    }

    It 'emits KhipuOperation objects that hide the secret and carry what a later session needs' {
        $operation = Get-EnelDebtStatus -ClientIdentifier '1234567-8' -Async
        $operation | Should -BeOfType (Get-ModuleType -FullName 'EnergyData.Khipu.KhipuOperation')
        $operation.CallbackUrl | Should -Match '/\*\*\*$'
        $operation.RequestInputs | Should -Be '{"ClientIdentifier":"1234567-8"}'
        $operation.LifeSpan | Should -Not -BeNullOrEmpty
        Test-Path (Join-Path $script:Inbox ('pending/' + $operation.OperationId + '.json')) | Should -BeTrue
        ($operation | Wait-KhipuOperation -Timeout 60).Address | Should -Be 'AGUSTINAS 1234, SANTIAGO'
    }

    It 'collects from an exported operations file by OperationId in a later wait' {
        $operationsCsv = Join-Path $TestDrive 'operations.csv'
        $script:Clients | Get-EnelDebtStatus -Async | Export-Csv -Path $operationsCsv -NoTypeInformation
        # The emulator delivers each result shortly after its 202, once: stopping the receiver before then would
        # lose them (a new receiver has a new URL). Wait until nothing is left to deliver.
        $callbacks = Wait-EmulatorCallbackIdle -Emulator $script:Emulator -TimeoutSec 30
        $callbacks.pending | Should -Be 0 -Because 'the emulator delivers each result shortly after its 202 (waited 30 s)'
        $callbacks.delivered | Should -Be $script:Clients.Count
        Stop-KhipuCallbackReceiver
        $script:Receiver = Start-KhipuCallbackReceiver -InboxPath $script:Inbox

        $rows = Import-Csv -Path $operationsCsv | Wait-KhipuOperation -InboxPath $script:Inbox -Timeout 60

        $rows.ClientIdentifier | Sort-Object | Should -Be ($script:Clients | Sort-Object)
    }

    It 'turns a delivered Status ERROR into an error record and still emits the other rows' {
        $rows = @('1234567-8', '555-0') | Get-EnelDebtStatus -Async | Wait-KhipuOperation -Timeout 60 -ErrorVariable failures -ErrorAction SilentlyContinue
        @($rows).Count | Should -Be 1
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Khipu.E301,*'
    }

    It 'says which operation timed out, with what is known of it, without a gap' {
        $id = '3fa85f64-5717-4562-b3fc-2c963f66afa6'
        Wait-KhipuOperation -OperationId $id -InboxPath $script:Inbox -Timeout 1 -ErrorVariable bare -ErrorAction SilentlyContinue
        $bare[0].Exception.Message | Should -BeExactly "No result for operation $id arrived within 1 s. It stays pending: run Wait-KhipuOperation again to collect it."
        $bare[0].TargetObject | Should -Be $id

        [pscustomobject]@{ OperationId = $id; Service = 'EnelDebtStatus'; InputIdentifier = '1234567-8'; RequestInputs = '{"ClientIdentifier":"1234567-8"}' } |
            Wait-KhipuOperation -InboxPath $script:Inbox -Timeout 1 -ErrorVariable known -ErrorAction SilentlyContinue
        $known[0].Exception.Message | Should -BeLike "No result for operation $id (EnelDebtStatus, ClientIdentifier 1234567-8) arrived within 1 s.*"
        $known[0].TargetObject | Should -Be $id
    }

    It 'gives Invoke-KhipuRequest -Async results without an invented attempt count' {
        $path = 'v1/cl/services/enel.cl/debt-status-by-client-identifier'
        $synchronous = Invoke-KhipuRequest -Path $path -RequestData @{ ClientIdentifier = '1234567-8' }
        $synchronous.Attempts | Should -Be 1
        $collected = Invoke-KhipuRequest -Path $path -RequestData @{ ClientIdentifier = '1234567-8' } -Async | Wait-KhipuOperation -Timeout 60
        $collected | Should -BeOfType (Get-ModuleType -FullName 'EnergyData.Khipu.KhipuResponse')
        $collected.Attempts | Should -BeNullOrEmpty
        $collected.DataJson | Should -Not -BeNullOrEmpty
    }

    It 'exports every field of a delivered CEN page whose rows differ, under the same columns on every row' {
        # One page of six: Acreedor null on rows 0 and 3, FechaCierre on odd rows only, Observaciones on row 4 only.
        Set-EmulatorKhipuOption -Emulator $script:Emulator -Option @{ cenTotal = 6; cenVaryingFields = $true }
        $account = [pscredential]::new('cen-user', (ConvertTo-SecureString -String 'cen-password' -AsPlainText -Force))
        $csv = Join-Path $TestDrive 'cen-async.csv'
        Get-CenNonconformity -DebtorRut 12345678 -From '2024-01-01' -To '2024-12-31' -PageSize 6 -AccountCredential $account -Async |
            Wait-KhipuOperation -Timeout 60 -WarningVariable warnings | Export-Csv -Path $csv -NoTypeInformation

        $rows = @(Import-Csv -Path $csv)
        $rows.Count | Should -Be 6
        $columns = $rows[0].PSObject.Properties.Name
        foreach ($name in 'Acreedor.Rut', 'Acreedor.RazonSocial', 'FechaCierre', 'Observaciones') {
            $columns | Should -Contain $name
        }
        $columns | Should -Not -Contain 'Acreedor'
        $rows[1].'Acreedor.Rut' | Should -Not -BeNullOrEmpty
        $rows[1].FechaCierre | Should -Not -BeNullOrEmpty
        $rows[4].Observaciones | Should -Be 'Revisar con el acreedor'
        $warnings.Count | Should -Be 0
    }

    It 'reports each operation still missing after -Timeout as an error and leaves the inbox as it was' {
        $before = Get-ChildItem -Path $script:Inbox -Recurse -File | Select-Object -Property @('FullName', 'Length', 'LastWriteTimeUtc')
        Wait-KhipuOperation -OperationId @('never-delivered-1', 'never-delivered-2') -InboxPath $script:Inbox -Timeout 1 -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.Count | Should -Be 2
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Timeout,*'
        $after = Get-ChildItem -Path $script:Inbox -Recurse -File | Select-Object -Property @('FullName', 'Length', 'LastWriteTimeUtc')
        Compare-Object -ReferenceObject $before -DifferenceObject $after -Property @('FullName', 'Length', 'LastWriteTimeUtc') | Should -BeNullOrEmpty
    }
}
