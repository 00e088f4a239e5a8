@{
    # The compiled module; build.ps1 lays it out beside this manifest in out/EnergyData.
    RootModule           = 'EnergyData.dll'
    # Imported before the root module: it resolves the module's dependencies from dependencies/ (into the
    # module's own AssemblyLoadContext on PowerShell 7), which EnergyData.dll needs as soon as it is read.
    NestedModules        = @('EnergyData.Loader.dll')
    # Stamped by build.ps1 from Directory.Build.props (VersionPrefix).
    ModuleVersion        = '0.1.0'
    GUID                 = '6f0c4a52-8d3e-4b7a-9f2e-3c1d5e7a9b10'
    Author               = 'EnergyData contributors'
    CompanyName          = 'EnergyData contributors'
    Copyright            = '(c) 2026 EnergyData contributors. MIT License.'
    Description          = 'Typed, pipeline-friendly access to energy-sector data: Khipu Open Data (Enel debt status and bills, CEN nonconformities, TGR expired agreements) and the NEU API, with streaming, concurrency, retries and Ctrl+C cancellation.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    DotNetFrameworkVersion = '4.7.2'
    RequiredAssemblies   = @()
    FormatsToProcess     = @('EnergyData.format.ps1xml')
    CmdletsToExport      = @(
        'Connect-EnergyData'
        'Disconnect-EnergyData'
        'Get-EnergyDataConnection'
        'Get-EnelDebtStatus'
        'Get-EnelBillDocument'
        'Get-CenNonconformity'
        'Get-TgrExpiredAgreement'
        'Invoke-KhipuRequest'
        'Start-KhipuCallbackReceiver'
        'Stop-KhipuCallbackReceiver'
        'Get-KhipuCallbackReceiver'
        'Wait-KhipuOperation'
        'Get-NeuAccount'
        'Get-NeuService'
        'Get-NeuPqrs'
        'Get-NeuConsumption'
        'Get-NeuBill'
        'Get-NeuBillDueDate'
        'Get-NeuBillOverdue'
        'Get-NeuNotification'
        'Get-NeuNotificationInteraction'
        'Get-NeuRule'
        'Get-NeuRuleHistory'
        'Get-NeuNeuget'
        'Get-NeuNeugetPayment'
        'Get-NeuFrontierConsumption'
        'Invoke-NeuRequest'
        'Get-NeuRoute'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Energy', 'Electricity', 'Khipu', 'OpenData', 'Enel', 'CEN', 'TGR', 'NEU', 'Chile', 'Colombia', 'API', 'REST',
                'PSEdition_Desktop', 'PSEdition_Core', 'Windows', 'Linux', 'MacOS')
            ProjectUri   = 'https://github.com/energydata/EnergyData'
            LicenseUri   = 'https://github.com/energydata/EnergyData/blob/main/LICENSE'
            ReleaseNotes = 'See CHANGELOG.md: https://github.com/energydata/EnergyData/blob/main/CHANGELOG.md'
        }
    }
}
