<#
.SYNOPSIS
    Installs (or repairs, updates, removes) the stac_xl Excel add-in for the current user.

.DESCRIPTION
    Per user, no administrator rights:
      1. checks for the known blockers (Microsoft Store Office, the Defender rule that blocks
         Office from starting programs, macro policies) and says what to do about each;
      2. installs a private Python (python.org, per user, not on PATH) under -Root;
      3. creates a virtual environment there and installs stac_xl with its pinned xlwings;
      4. builds STAC.xlam, copies it to Excel's XLSTART folder and unblocks it;
      5. self-test: Python imports; Excel (through COM) opens the add-in, runs its SelfTest
         macro, and a Python round-trip writes a cell in a scratch workbook.
    Running it again repairs or updates the install. -Uninstall removes it.

.EXAMPLE
    powershell -ExecutionPolicy Bypass -File install.ps1
.EXAMPLE
    powershell -ExecutionPolicy Bypass -File install.ps1 -Uninstall
#>
[CmdletBinding()]
param(
    [switch]$Uninstall,
    [string]$Root = (Join-Path $env:LOCALAPPDATA 'stac_xl'),
    [string]$PythonVersion = '3.11.9',
    # Where stac_xl comes from: this folder (a source checkout or unpacked release) by default.
    [string]$Source = $PSScriptRoot,
    # Optional folder of wheels for machines without internet access (pip --no-index).
    [string]$Wheelhouse = '',
    [switch]$SkipExcelSelfTest
)

$ErrorActionPreference = 'Stop'
$AddinName = 'STAC.xlam'
$XlStart = Join-Path $env:APPDATA 'Microsoft\Excel\XLSTART'
$PyDir = Join-Path $Root 'py'
$Venv = Join-Path $Root 'venv'
$VenvPython = Join-Path $Venv 'Scripts\python.exe'
$AsrRuleOfficeChildProcesses = 'D4F940AB-401B-4EFC-AADC-AD5F3C50688A'

function Say([string]$Text) { Write-Host "stac_xl: $Text" }
function Warn([string]$Text) { Write-Warning "stac_xl: $Text" }
function Fail([string]$Text) { Write-Host "stac_xl: $Text" -ForegroundColor Red; exit 1 }

function Test-ExcelRunning { return [bool](Get-Process -Name EXCEL -ErrorAction SilentlyContinue) }

function Assert-ExcelClosed {
    if (Test-ExcelRunning) { Fail 'Excel is running. Save your work, close Excel, and run install.ps1 again.' }
}

function Test-StoreOffice {
    # Store (AppX) Office runs in a container that cannot start the add-in's Python reliably.
    $appx = Get-AppxPackage -Name 'Microsoft.Office.Desktop*' -ErrorAction SilentlyContinue
    return [bool]$appx
}

function Test-AsrBlocksOfficeChildren {
    try { $pref = Get-MpPreference -ErrorAction Stop } catch { return $false }
    $ids = @($pref.AttackSurfaceReductionRules_Ids)
    $actions = @($pref.AttackSurfaceReductionRules_Actions)
    for ($i = 0; $i -lt $ids.Count; $i++) {
        if ($ids[$i] -ieq $AsrRuleOfficeChildProcesses -and $actions[$i] -eq 1) { return $true }
    }
    return $false
}

function Get-MacroPolicyProblems {
    $problems = @()
    foreach ($ver in '16.0', '15.0') {
        $key = "HKCU:\Software\Policies\Microsoft\Office\$ver\Excel\Security"
        if (-not (Test-Path $key)) { continue }
        $p = Get-ItemProperty $key
        if ($p.VBAWarnings -eq 4) { $problems += "macros are disabled by policy (Office $ver VBAWarnings=4)" }
        if ($p.RequireAddinSig -eq 1) { $problems += "add-ins must be signed by policy (Office $ver RequireAddinSig=1)" }
        if ($p.blockcontentexecutionfrominternet -eq 1) { $problems += "macros from the internet are blocked (files are unblocked below)" }
    }
    return $problems
}

function Test-Blockers {
    if (Test-StoreOffice) {
        Fail ('Office from the Microsoft Store is installed; its Excel cannot run the add-in''s Python. ' +
              'Install the Click-to-Run version of Microsoft 365 (office.com) and run install.ps1 again.')
    }
    if (Test-AsrBlocksOfficeChildren) {
        Warn ('Microsoft Defender blocks Office from starting programs (attack surface reduction rule ' +
              "$AsrRuleOfficeChildProcesses). The ribbon buttons will fail with 'error 70' until your IT adds an " +
              "exclusion for $Venv\Scripts\python.exe.")
    }
    foreach ($p in Get-MacroPolicyProblems) { Warn "Excel policy: $p. Ask your IT to allow the STAC add-in." }
}

function Install-PrivatePython {
    $python = Join-Path $PyDir 'python.exe'
    if (Test-Path $python) { Say "Python found at $python"; return $python }
    $url = "https://www.python.org/ftp/python/$PythonVersion/python-$PythonVersion-amd64.exe"
    $installer = Join-Path $env:TEMP "python-$PythonVersion-amd64.exe"
    Say "Downloading Python $PythonVersion from python.org..."
    Invoke-WebRequest -Uri $url -OutFile $installer -UseBasicParsing
    Say 'Installing a private Python (for this user only, not on PATH)...'
    $installerArgs = @('/quiet', 'InstallAllUsers=0', 'PrependPath=0', 'Include_launcher=0', 'Include_test=0',
              'Shortcuts=0', "TargetDir=$PyDir")
    $proc = Start-Process -FilePath $installer -ArgumentList $installerArgs -Wait -PassThru
    if ($proc.ExitCode -ne 0) { Fail "The Python installer failed (exit code $($proc.ExitCode))." }
    if (-not (Test-Path $python)) { Fail "Python did not appear at $python." }
    return $python
}

function Install-Package([string]$BasePython) {
    if (-not (Test-Path $VenvPython)) {
        Say "Creating the virtual environment in $Venv..."
        & $BasePython -m venv $Venv
        if ($LASTEXITCODE -ne 0) { Fail 'Could not create the virtual environment.' }
    }
    $pipArgs = @('-m', 'pip', 'install', '--upgrade', '--disable-pip-version-check')
    if ($Wheelhouse) { $pipArgs += @('--no-index', '--find-links', $Wheelhouse) }
    Say 'Installing stac_xl and its pinned xlwings...'
    & $VenvPython @pipArgs pip | Out-Null
    & $VenvPython @pipArgs "$Source[addin]"
    if ($LASTEXITCODE -ne 0) { Fail 'pip could not install stac_xl (see the messages above).' }
}

function Install-Addin {
    $buildDir = Join-Path $Root 'addin'
    $interpreter = Join-Path $Venv 'Scripts\python.exe'
    Say 'Building the add-in...'
    & $VenvPython -m stac_xl.cli addin build --out $buildDir --interpreter $interpreter --sources (Join-Path $Source 'workbook')
    if ($LASTEXITCODE -ne 0) { Fail 'Building STAC.xlam failed (see the messages above).' }
    New-Item -ItemType Directory -Force -Path $XlStart | Out-Null
    Copy-Item (Join-Path $buildDir $AddinName) (Join-Path $XlStart $AddinName) -Force
    # Mark-of-the-Web would make Excel block the add-in's macros silently.
    Get-ChildItem -Path $Root -Recurse -File | Unblock-File
    Unblock-File (Join-Path $XlStart $AddinName)
    Say "Add-in installed in $XlStart"
}

function Invoke-SelfTest {
    & $VenvPython -c "import xlwings, stac_xl; print('python ok', stac_xl.__version__, 'xlwings', xlwings.__version__)"
    if ($LASTEXITCODE -ne 0) { Fail 'Self-test: Python cannot import stac_xl.' }
    if ($SkipExcelSelfTest) { return }
    Say 'Self-test: starting Excel in the background...'
    $excel = New-Object -ComObject Excel.Application
    try {
        $excel.Visible = $false
        $excel.DisplayAlerts = $false
        $addin = $excel.Workbooks.Open((Join-Path $XlStart $AddinName))
        $answer = $excel.Run("'$AddinName'!STAC.SelfTest")
        Say "Self-test: the add-in answered '$answer'"
        $scratch = $excel.Workbooks.Add()
        $excel.Run("'$AddinName'!STAC.RunAction", 'self_test')
        $cell = $scratch.Worksheets.Item(1).Range('A1').Value2
        if ($cell -ne 'STAC ok') { Fail "Self-test: the Python round-trip did not write to Excel (A1 = '$cell')." }
        Say 'Self-test: Excel -> Python -> Excel round-trip ok.'
        $scratch.Close($false)
    } catch {
        Fail "Self-test in Excel failed: $($_.Exception.Message)"
    } finally {
        $excel.Quit()
        [System.Runtime.InteropServices.Marshal]::ReleaseComObject($excel) | Out-Null
    }
}

function Uninstall-Stac {
    Assert-ExcelClosed
    $target = Join-Path $XlStart $AddinName
    if (Test-Path $target) { Remove-Item $target -Force; Say "Removed $target" }
    if (Test-Path $Root) { Remove-Item $Root -Recurse -Force; Say "Removed $Root" }
    Say 'Uninstalled. Stored ServiceTrade credentials stay in Windows Credential Manager (service stac_xl); remove them there if you wish.'
}

if ($Uninstall) { Uninstall-Stac; exit 0 }
Assert-ExcelClosed
Test-Blockers
New-Item -ItemType Directory -Force -Path $Root | Out-Null
$python = Install-PrivatePython
Install-Package $python
Install-Addin
Invoke-SelfTest
Say 'Done. Open Excel: the ServiceTrade tab is on the ribbon.'
