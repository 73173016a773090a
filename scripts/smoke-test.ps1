<#
.SYNOPSIS
    Release smoke test on a Windows PC with Excel: the installed add-in, driven through COM,
    runs Fetch -> Preview -> Export against the local sandbox. Prints PASS/FAIL per step.

.DESCRIPTION
    An Excel started through COM is started by Windows, not by this PowerShell, so it never
    sees this window's environment variables ($env:STAC_*). Everything the ribbon's Python
    needs is therefore put where a clerk's Excel reads it:
      - the sandbox is started here (any free port, read from the line it announces);
      - Base URL, Days to fetch and Output folder are written into the test workbook by
        setting name (scripts\set_setting.py), before Excel opens it;
      - the sandbox's demo/demo sign-in is stored in Windows Credential Manager, as Sign in
        does. This REPLACES any ServiceTrade sign-in stored for stac_xl on this PC; it is
        removed at the end (stac-xl logout): sign in again afterwards.
    A command-line fetch into a copy of the workbook gives the Invoices range Excel's Fetch
    must produce, and fills Lookups for the sandbox's customers so Export has nothing to refuse.

    Each ribbon action ends with a message box in Excel: click OK and the script goes on.
    The time printed for a step includes that click.

.EXAMPLE
    powershell -ExecutionPolicy Bypass -File scripts\smoke-test.ps1
#>
[CmdletBinding()]
param(
    [string]$Root = (Join-Path $env:LOCALAPPDATA 'stac_xl'),
    [int]$Invoices = 300,
    [int]$DaysToFetch = 7
)

$ErrorActionPreference = 'Stop'
$VenvPython = Join-Path $Root 'venv\Scripts\python.exe'
$AddinPath = Join-Path $env:APPDATA 'Microsoft\Excel\XLSTART\STAC.xlam'
$SetSetting = Join-Path $PSScriptRoot 'set_setting.py'
$Prepare = Join-Path $PSScriptRoot 'smoke_prepare.py'
$Work = Join-Path $env:TEMP ('stac-smoke-' + [guid]::NewGuid().ToString('N').Substring(0, 8))
$OutDir = Join-Path $Work 'out'
$Book = Join-Path $Work 'smoke.xlsx'
$Reference = Join-Path $Work 'reference.xlsx'
$failures = 0

foreach ($path in $VenvPython, $AddinPath, $SetSetting, $Prepare) {
    if (-not (Test-Path -LiteralPath $path)) { Write-Host "Missing '$path': run install.ps1 first." -ForegroundColor Red; exit 1 }
}
New-Item -ItemType Directory -Path $OutDir -Force | Out-Null

function Step([string]$Name, [scriptblock]$Body) {
    $clock = [Diagnostics.Stopwatch]::StartNew()
    try {
        $note = & $Body
        Write-Host ("PASS  {0} ({1:N1} s) {2}" -f $Name, $clock.Elapsed.TotalSeconds, "$note") -ForegroundColor Green
    } catch {
        Write-Host ("FAIL  {0} ({1:N1} s): {2}" -f $Name, $clock.Elapsed.TotalSeconds, $_.Exception.Message) -ForegroundColor Red
        $script:failures++
    }
}

function Invoke-Stac([string[]]$Arguments) {
    # The add-in's own Python and stac_xl, as the ribbon runs them; stops on a failure.
    & $VenvPython @Arguments
    if ($LASTEXITCODE -ne 0) { throw "python $($Arguments -join ' ') failed (exit code $LASTEXITCODE)" }
}

function Read-SharedText([string]$Path) {
    # The sandbox still has its log open for writing.
    if (-not (Test-Path -LiteralPath $Path)) { return '' }
    $stream = [IO.File]::Open($Path, 'Open', 'Read', 'ReadWrite')
    try { return (New-Object IO.StreamReader($stream)).ReadToEnd() } finally { $stream.Dispose() }
}

function Start-Sandbox {
    # Any free port (0); the sandbox announces its URL on its first line.
    $log = Join-Path $Work 'sandbox.log'
    $errors = Join-Path $Work 'sandbox-errors.log'
    $arguments = "-m stac_xl.cli sandbox --port 0 --invoices $Invoices"  # one string, nothing to quote
    $process = Start-Process -FilePath $VenvPython -ArgumentList $arguments -PassThru -WindowStyle Hidden `
        -RedirectStandardOutput $log -RedirectStandardError $errors
    $deadline = (Get-Date).AddSeconds(60)
    while ((Get-Date) -lt $deadline) {
        if ((Read-SharedText $log) -match 'at (http://127\.0\.0\.1:\d+/api)') { return $process, $Matches[1] }
        if ($process.HasExited) { throw "the sandbox stopped: $(Read-SharedText $errors)" }
        Start-Sleep -Milliseconds 250
    }
    throw 'the sandbox did not announce its address within 60 seconds'
}

function Stop-Sandbox($Process) {
    # taskkill /T: the venv's python.exe starts the real interpreter as a child process.
    if ($Process -and -not $Process.HasExited) { & taskkill.exe /PID $Process.Id /T /F | Out-Null }
}

$sandbox = $null
$excel = $null
try {
    $sandbox, $baseUrl = Start-Sandbox
    Write-Host "Sandbox at $baseUrl; work folder '$Work'"

    Invoke-Stac @('-m', 'stac_xl.cli', 'new', $Book, '--preset', 'generic-csv') | Out-Null
    Invoke-Stac @($SetSetting, $Book, 'Base URL', $baseUrl, 'Days to fetch', "$DaysToFetch", 'Output folder', $OutDir)
    Copy-Item -LiteralPath $Book -Destination $Reference
    # The command-line fetch (credentials from this window's environment, which it does see;
    # they go only to the address named with them, here --base-url, never to a workbook's).
    $env:STAC_USERNAME = 'demo'; $env:STAC_PASSWORD = 'demo'
    try { Invoke-Stac @('-m', 'stac_xl.cli', 'fetch', $Reference, '--base-url', $baseUrl) | Out-Null }
    finally { Remove-Item -LiteralPath 'Env:STAC_USERNAME', 'Env:STAC_PASSWORD' -ErrorAction SilentlyContinue }
    $expected = "$(Invoke-Stac @($Prepare, $Reference, $Book))".Trim()
    # What Sign in does for the workbook's host (the sandbox); the ribbon's Python finds it in
    # Windows Credential Manager, kept for that host only.
    Invoke-Stac @('-c', "from stac_xl.servicetrade.credentials import store_credentials; store_credentials('demo', 'demo', base_url='$baseUrl')")

    $excel = New-Object -ComObject Excel.Application
    $excel.Visible = $true
    $excel.Workbooks.Open($AddinPath) | Out-Null
    $wb = $excel.Workbooks.Open($Book)
    Step 'add-in SelfTest' {
        $a = $excel.Run("'STAC.xlam'!STAC.SelfTest")
        if ($a -notlike 'STAC ok*') { throw "answered '$a'" }
        "answered '$a'"
    }
    Step 'Fetch invoices' {
        $before = $wb.Worksheets.Item('Invoices').UsedRange.Address()
        $null = $excel.Run("'STAC.xlam'!STAC.RunAction", 'fetch')
        $after = $wb.Worksheets.Item('Invoices').UsedRange.Address()
        # A used range to row 1048576 means formats went down whole columns as ranges.
        if ($after -ne $expected) { throw "Invoices UsedRange is $after (before: $before); the command-line fetch filled $expected" }
        "Invoices UsedRange $after"
    }
    Step 'Preview' {
        $null = $excel.Run("'STAC.xlam'!STAC.RunAction", 'preview')
        $export = $wb.Worksheets.Item('Export').UsedRange
        if ($export.Rows.Count -lt 2) { throw 'Export is empty' }
        "Export UsedRange $($export.Address())"
    }
    Step 'Export' {
        $null = $excel.Run("'STAC.xlam'!STAC.RunAction", 'export')
        $files = @(Get-ChildItem -LiteralPath $OutDir -Filter '*.csv')
        if ($files.Count -ne 1) { throw "expected one import file in '$OutDir', found $($files.Count)" }
        $logRows = $wb.Worksheets.Item('Log').UsedRange.Rows.Count
        if ($logRows -lt 2) { throw 'no row on the Log sheet' }
        "wrote '$($files[0].Name)'"
    }
    $wb.Close($false)
} catch {
    Write-Host "FAIL  setup: $($_.Exception.Message)" -ForegroundColor Red
    $failures++
} finally {
    if ($excel) {
        $excel.Quit()
        [void][System.Runtime.InteropServices.Marshal]::ReleaseComObject($excel)
    }
    Stop-Sandbox $sandbox
    & $VenvPython -m stac_xl.cli logout | Out-Null
}
if ($failures) { Write-Host "$failures step(s) failed; the files are in '$Work'." -ForegroundColor Red; exit 1 }
Write-Host "All smoke-test steps passed; the files are in '$Work'." -ForegroundColor Green
